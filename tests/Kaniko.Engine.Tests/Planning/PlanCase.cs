using System.Text;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Planning;

/// <summary>
/// One folder of <c>TestData/Plans</c> or <c>TestData/Plans-negative</c>: a <c>Dockerfile</c> and an optional
/// <c>args.txt</c> holding one option per line (<c>--build-arg NAME[=VALUE]</c>, <c>--env NAME=VALUE</c> for the
/// environment a bare <c>--build-arg NAME</c> reads, <c>--target NAME</c>, <c>--platform P</c>,
/// <c>--build-platform P</c>; <c>#</c> starts a comment). The build platform is <c>linux/amd64</c> unless given, so
/// the expectations do not depend on the machine.
/// </summary>
internal sealed class PlanCase
{
    private PlanCase(string directory) => Directory = directory;

    /// <summary>The case folder.</summary>
    public string Directory { get; }

    /// <summary>The folder name, shown as the test case.</summary>
    public string Name => Path.GetFileName(Directory);

    public static TheoryData<string> All(string kind)
    {
        var root = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", kind);
        return [.. System.IO.Directory.EnumerateDirectories(root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];
    }

    public static PlanCase Open(string kind, string name) =>
        new(Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", kind, name));

    public byte[] Dockerfile => File.ReadAllBytes(Path.Combine(Directory, "Dockerfile"));

    public string ReadText(string file) => Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Directory, file))).Replace("\r\n", "\n", StringComparison.Ordinal);

    public PlanRequest Request()
    {
        var buildArgs = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var request = new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") };
        var argsFile = Path.Combine(Directory, "args.txt");
        var lines = File.Exists(argsFile) ? ReadText("args.txt").Split('\n') : [];
        foreach (var line in lines.Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (option, value) = (line[..space], line[(space + 1)..]);
            switch (option)
            {
                case "--build-arg": buildArgs.Add(value); break;
                case "--env": environment[value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..]; break;
                case "--target": request = request with { Target = value }; break;
                case "--platform": request = request with { TargetPlatform = Platform.Parse(value) }; break;
                case "--build-platform": request = request with { BuildPlatform = Platform.Parse(value) }; break;
                default: throw new InvalidDataException($"{Name}/args.txt: unknown option {option}");
            }
        }

        return request with { BuildArgs = BuildArguments.Parse(buildArgs, n => environment.GetValueOrDefault(n)) };
    }
}
