using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// A web project in a temporary folder that uses Kaniko.Sdk from the packed feed: a minimal API answering
/// <c>Hello</c>, an optional Dockerfile, and the project file's extra properties and items.
/// </summary>
public sealed class TestProject : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-sdk-e2e-");

    /// <summary>Creates the project <paramref name="name"/> with <paramref name="projectBody"/> inside its <c>Project</c> element.</summary>
    public TestProject(PackedSdkFeed feed, string name, string? dockerfile, string projectBody = "")
    {
        Name = name;
        Directory = _directory.Combine(name);
        System.IO.Directory.CreateDirectory(Directory);
        feed.WriteNuGetConfig(Directory);
        File.WriteAllText(Path.Combine(Directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <Sdk Name="Kaniko.Sdk" Version="{feed.Version}" />
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            {projectBody}
            </Project>
            """);
        File.WriteAllText(Path.Combine(Directory, "Program.cs"), """
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/", () => "Hello");
            app.Run();
            """);
        if (dockerfile is not null)
        {
            File.WriteAllText(Path.Combine(Directory, "Dockerfile"), dockerfile);
        }
    }

    /// <summary>The project's (and assembly's) name.</summary>
    public string Name { get; }

    /// <summary>The project folder.</summary>
    public string Directory { get; }

    /// <summary>Runs <c>dotnet publish -c Release</c> with <paramref name="properties"/> (<c>Name=Value</c>) and <paramref name="arguments"/>.</summary>
    public Task<CliResult> PublishAsync(IEnumerable<string> properties, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? arguments = null) =>
        DotnetCli.RunAsync(
            Directory,
            ["publish", "-c", "Release", "--disable-build-servers", "-nologo", .. properties.Select(p => "-p:" + p), .. arguments ?? []],
            TimeSpan.FromMinutes(5),
            environment);

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();
}
