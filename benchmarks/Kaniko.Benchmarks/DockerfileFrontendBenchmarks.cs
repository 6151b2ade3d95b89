using System.Text;
using BenchmarkDotNet.Attributes;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Benchmarks;

/// <summary>
/// The Dockerfile frontend runs before anything else in every build, so its cost is pure latency for the user.
/// Run: <c>dotnet run -c Release --project benchmarks/Kaniko.Benchmarks -- --filter *Frontend*</c>.
/// </summary>
[MemoryDiagnoser]
public class DockerfileFrontendBenchmarks
{
    private byte[] _largeDockerfile = [];
    private byte[] _typicalDockerfile = [];
    private readonly ShellLexer _lexer = new();
    private readonly VariableMap _variables = new();

    /// <summary>Builds the inputs once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var large = new StringBuilder("# syntax=docker/dockerfile:1\nARG BASE=alpine\nFROM ${BASE} AS build\n");
        for (var i = 0; i < 10_000; i++)
        {
            large.Append((i % 4) switch
            {
                0 => $"RUN echo {i} \\\n  && true\n",
                1 => $"ENV K{i}=\"v {i}\" X=1\n",
                2 => "COPY [\"a\", \"b\"]\n",
                _ => "RUN <<EOF\necho heredoc\nEOF\n",
            });
        }

        _largeDockerfile = Encoding.UTF8.GetBytes(large.ToString());
        _typicalDockerfile = Encoding.UTF8.GetBytes("""
            ARG DOTNET_VERSION=10.0
            FROM mcr.example/dotnet/sdk:${DOTNET_VERSION} AS build
            WORKDIR /src
            COPY *.csproj ./
            RUN dotnet restore
            COPY . .
            RUN dotnet publish -c Release -o /app/publish --no-restore
            FROM mcr.example/dotnet/aspnet:${DOTNET_VERSION}
            WORKDIR /app
            COPY --from=build /app/publish .
            USER $APP_UID
            ENTRYPOINT ["dotnet", "app.dll"]
            """);
        _variables.Set("HOME", "/root");
        _variables.Set("VERSION", "1.2.3-preview.4");
    }

    /// <summary>A 10,000-instruction Dockerfile with continuations, key-value ENV, JSON form and heredocs.</summary>
    [Benchmark]
    public int ParseLarge() => DockerfileParser.Parse(_largeDockerfile, "Dockerfile").Nodes.Count;

    /// <summary>A typical multi-stage .NET Dockerfile.</summary>
    [Benchmark]
    public int ParseTypical() => DockerfileParser.Parse(_typicalDockerfile, "Dockerfile").Nodes.Count;

    /// <summary>One word with substitutions, quotes and a pattern removal.</summary>
    [Benchmark]
    public string ExpandWord() => _lexer.ProcessWord("\"$HOME\"/app-${VERSION%%-*}/${MISSING:-default}", _variables).Value;
}
