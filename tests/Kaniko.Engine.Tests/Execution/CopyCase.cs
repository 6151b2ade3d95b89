using System.Globalization;
using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// One folder of <c>TestData/Copy</c>: a <c>Dockerfile</c>, the context as <c>context.txt</c> (one entry a line:
/// <c>dir/</c>, <c>path = content</c> with <c>\n</c> for a newline, <c>link -> target</c>, <c>path => file</c> for a hard
/// link to a file listed before (hard links are made on Linux only); an octal mode may follow
/// the path, as in <c>run.sh 0755 = echo</c>; a <c>.dockerignore</c> entry is the ignore file), optional
/// <c>passwd</c> and <c>group</c> files for the stage, an optional <c>existing.txt</c> listing directories the stage
/// already has, and <c>expected.txt</c> (every COPY and ADD of the target stage, then its items) or
/// <c>error.txt</c> (the first error as <c>message [code]</c>).
/// </summary>
internal sealed class CopyCase : IDisposable
{
    private static readonly DateTimeOffset FixedTime = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDirectory _context = new("kaniko-copy-");

    private CopyCase(string directory)
    {
        Directory = directory;
        WriteContextFiles();
    }

    public string Directory { get; }

    public static string Root => Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Copy");

    public static TheoryData<string> All() =>
        [.. System.IO.Directory.EnumerateDirectories(Root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal)];

    public static CopyCase Open(string name) => new(Path.Combine(Root, name));

    public bool ExpectsError => File.Exists(Path.Combine(Directory, "error.txt"));

    /// <summary>Whether the context holds hard links, which only Linux makes and tells (the inode is read with <c>statx</c>).</summary>
    public bool HasHardLinks { get; private set; }

    public string ReadText(string file) =>
        Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(Directory, file))).Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>Plans every COPY and ADD of the target stage and renders them.</summary>
    public string Run()
    {
        var plan = KanikoPlanner.Plan(File.ReadAllBytes(Path.Combine(Directory, "Dockerfile")), "Dockerfile", new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") });
        var ignorePath = Path.Combine(_context.Path, ".dockerignore");
        var ignore = File.Exists(ignorePath) ? DockerIgnoreMatcher.Parse(File.ReadAllBytes(ignorePath), ".dockerignore") : DockerIgnoreMatcher.Empty;
        using var directory = new DirectoryBuildContext(_context.Path, ignore);
        var context = Engine.Execution.Copy.BuildContextTree.Load(directory);
        var users = new EtcUserDatabase(() => ReadOptional("passwd"), () => ReadOptional("group"));
        var existing = File.Exists(Path.Combine(Directory, "existing.txt"))
            ? ReadText("existing.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ContainerPath.Parse).ToHashSet()
            : [];
        var output = new StringBuilder();
        var workdir = ContainerPath.Root;
        foreach (var step in plan.Target.Steps)
        {
            CopyRequest? request = step.Expanded switch
            {
                WorkdirInstruction w => Workdir(w),
                CopyInstruction c when c.From is null => CopyRequest.FromInstruction(c, workdir),
                AddInstruction a => CopyRequest.FromInstruction(a, workdir),
                _ => null,
            };
            if (request is null)
            {
                continue;
            }

            var copy = CopyPlanner.Plan(context, request with { Users = users, IsExistingDirectory = existing.Contains });
            output.Append(CultureInfo.InvariantCulture, $"{step.Text}\n");
            foreach (var warning in copy.Warnings)
            {
                output.Append(CultureInfo.InvariantCulture, $"  warning: {warning} [{warning.Code}]\n");
            }

            foreach (var item in copy.Items)
            {
                output.Append("  ").Append(Render(item)).Append('\n');
            }
        }

        return output.ToString();

        CopyRequest? Workdir(WorkdirInstruction w)
        {
            workdir = workdir.Resolve(w.Path);
            return null;
        }
    }

    /// <summary>Rewrites the case's expected file from the current output (run with KANIKO_UPDATE_GOLDEN=1, then review the diff).</summary>
    public void Update()
    {
        if (ExpectsError)
        {
            try
            {
                Run();
                File.WriteAllText(Path.Combine(Directory, "error.txt"), "no error\n");
            }
            catch (Kaniko.Engine.Diagnostics.KanikoException e)
            {
                File.WriteAllText(Path.Combine(Directory, "error.txt"), $"{e.Message} [{e.Code}]\n");
            }
        }
        else
        {
            File.WriteAllText(Path.Combine(Directory, "expected.txt"), Run());
        }
    }

    public static string Render(CopyItem item)
    {
        var kind = item.Kind switch
        {
            CopyItemKind.File => "file",
            CopyItemKind.Directory => "dir",
            CopyItemKind.SymbolicLink => "link",
            _ => "inline",
        };
        var text = $"{kind} {item.Source} -> {item.Destination} {Convert.ToString((int)item.Mode, 8).PadLeft(4, '0')} {item.Owner}";
        if (item.LinkGroup is { } group)
        {
            text += " links=" + group.ToString(CultureInfo.InvariantCulture);
        }

        if (item.LinkTarget is not null)
        {
            text += $" target={item.LinkTarget}";
        }

        if (item.Content is not null)
        {
            text += " content=" + item.Content.Replace("\n", "\\n", StringComparison.Ordinal);
        }

        if (item.UnpackIfArchive)
        {
            text += " unpack";
        }

        return text;
    }

    public void Dispose() => _context.Dispose();

    private byte[]? ReadOptional(string file)
    {
        var path = Path.Combine(Directory, file);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    private static void SetMode(string path, int mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
    }

    private void WriteContextFiles()
    {
        var specPath = Path.Combine(Directory, "context.txt");
        var lines = File.Exists(specPath) ? ReadText("context.txt").Split('\n') : [];
        foreach (var line in lines.Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var hardLink = line.IndexOf(" => ", StringComparison.Ordinal);
            if (hardLink >= 0)
            {
                HasHardLinks = true;
                if (OperatingSystem.IsLinux())
                {
                    var created = _context.Combine(line[..hardLink]);
                    System.IO.Directory.CreateDirectory(Path.GetDirectoryName(created)!);
                    Engine.Filesystem.LibC.Link(_context.Combine(line[(hardLink + 4)..]), created);
                }

                continue;
            }

            var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
            var equals = line.IndexOf(" = ", StringComparison.Ordinal);
            if (arrow >= 0 && (equals < 0 || arrow < equals))
            {
                var linkPath = _context.Combine(line[..arrow]);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(linkPath)!);
                File.CreateSymbolicLink(linkPath, line[(arrow + 4)..]);
                continue;
            }

            var head = equals >= 0 ? line[..equals] : line;
            var words = head.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var path = words[0];
            var mode = words.Length > 1 ? Convert.ToInt32(words[1], 8) : -1;
            if (path.EndsWith('/'))
            {
                var directory = _context.Combine(path.TrimEnd('/'));
                System.IO.Directory.CreateDirectory(directory);
                SetMode(directory, mode < 0 ? 0x1ED : mode);
                System.IO.Directory.SetLastWriteTimeUtc(directory, FixedTime.UtcDateTime);
                continue;
            }

            var file = _context.Combine(path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var content = equals >= 0 ? line[(equals + 3)..].Replace("\\n", "\n", StringComparison.Ordinal) : string.Empty;
            File.WriteAllText(file, content);
            SetMode(file, mode < 0 ? 0x1A4 : mode);
            File.SetLastWriteTimeUtc(file, FixedTime.UtcDateTime);
        }
    }
}
