using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>How a fresh project takes Kaniko.Sdk: the <c>Sdk</c> element or a <c>PackageReference</c>.</summary>
public enum SdkReference
{
    /// <summary><c>&lt;Sdk Name="Kaniko.Sdk" Version="..." /&gt;</c>.</summary>
    SdkElement,

    /// <summary><c>&lt;PackageReference Include="Kaniko.Sdk" Version="..." /&gt;</c>.</summary>
    PackageReference,
}

/// <summary>
/// A project made by <c>dotnet new TEMPLATE</c> in a temporary folder, exactly as a user starts one, then given
/// Kaniko.Sdk (by <paramref name="reference"/>) and <paramref name="projectBody"/>: so both the .NET SDK's
/// <c>/t:PublishContainer</c> and ours run on the same template output.
/// </summary>
public sealed class FreshProject(string name) : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-sdk-fresh-");

    /// <summary>The project's (and assembly's) name.</summary>
    public string Name { get; } = name;

    /// <summary>The project folder.</summary>
    public string Directory => _directory.Combine(Name);

    /// <summary>Runs <c>dotnet new TEMPLATE</c> (no restore) and wires the package in.</summary>
    public async Task CreateAsync(string template, PackedSdkFeed feed, SdkReference reference, string projectBody)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var created = await DotnetCli.RunAsync(_directory.Path, ["new", template, "-n", Name, "-o", Directory, "--no-restore"], TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        Assert.True(created.ExitCode == 0, created.Output);
        feed.WriteNuGetConfig(Directory);
        var project = Path.Combine(Directory, Name + ".csproj");
        var text = await File.ReadAllTextAsync(project).ConfigureAwait(false);
        var open = text.IndexOf('>', text.IndexOf("<Project", StringComparison.Ordinal)) + 1;
        var inserted = reference == SdkReference.SdkElement
            ? $"\n  <Sdk Name=\"Kaniko.Sdk\" Version=\"{feed.Version}\" />\n{projectBody}"
            : $"\n  <ItemGroup>\n    <PackageReference Include=\"Kaniko.Sdk\" Version=\"{feed.Version}\" PrivateAssets=\"all\" />\n  </ItemGroup>\n{projectBody}";
        await File.WriteAllTextAsync(project, text.Insert(open, inserted)).ConfigureAwait(false);
    }

    /// <summary>Runs <c>dotnet ARGS</c> in the project folder.</summary>
    public Task<CliResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        DotnetCli.RunAsync(Directory, arguments, TimeSpan.FromMinutes(5), environment);

    /// <summary>Runs <c>dotnet publish -c Release -nologo</c> with <paramref name="properties"/> (<c>Name=Value</c>) and <paramref name="extra"/> arguments.</summary>
    public Task<CliResult> PublishAsync(IEnumerable<string> properties, IReadOnlyDictionary<string, string>? environment = null, params string[] extra) =>
        DotnetCli.RunAsync(Directory, ["publish", "-c", "Release", "--disable-build-servers", "-nologo", .. extra, .. properties.Select(p => "-p:" + p)], TimeSpan.FromMinutes(5), environment);

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();
}
