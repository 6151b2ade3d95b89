using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build.Differential;

/// <summary>
/// One folder under <c>TestData/Differential</c>: a <c>Dockerfile</c>, its context files, an optional
/// <c>args.txt</c> (one <c>--build-arg NAME=VALUE</c> or <c>--target NAME</c> a line, given to both builders) and an
/// optional <c>Dockerfile.buildah</c>, the same build spelled for the peer where its version lacks a syntax
/// (listed in <see cref="KnownDifferences.PeerDockerfiles"/>), and an optional <c>expected-ours.txt</c>
/// (<c>KEY = VALUE</c> lines our image must hold exactly: what a known difference keeps from the comparison), and an
/// optional <c>base.txt</c> naming the base images, one a line (<c>busybox</c>, <c>debian</c>): the first is given as
/// the build argument <c>BASE</c>, and, when the file exists, each also under its upper-case name (<c>DEBIAN</c>,
/// <c>BUSYBOX</c>). Without it <c>BASE</c> is busybox. <c>args.txt</c> may also hold <c>--secret id=ID,src=FILE</c>
/// lines (FILE relative to the case folder and left out of the context). An optional <c>hardlinks.txt</c> holds
/// <c>LINK =&gt; FILE</c> lines (paths in the context): git keeps no hard links, so each LINK is made a hard link to
/// FILE when the context is written.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record DifferentialCase(
    string Name, string Directory, IReadOnlyList<KeyValuePair<string, string>> BuildArgs, string? Target,
    IReadOnlyList<string> Bases, IReadOnlyList<(string Id, string Source)> Secrets)
{
    /// <summary>The base image a case gets when it has no <c>base.txt</c>.</summary>
    public const string DefaultBase = "busybox";

    /// <summary>The files of a case folder that are not part of its build context.</summary>
    public static readonly IReadOnlySet<string> NotContext = new HashSet<string>(StringComparer.Ordinal) { "args.txt", "Dockerfile.buildah", "expected-ours.txt", "base.txt", "hardlinks.txt" };

    /// <summary>Whether the case lists its bases, so each is given under its own name too.</summary>
    public bool NamesBases => File.Exists(System.IO.Path.Combine(Directory, "base.txt"));

    public static string Root => System.IO.Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.IntegrationTests", "TestData", "Differential");

    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetDirectories(Root).Select(d => System.IO.Path.GetFileName(d)!).Order(StringComparer.Ordinal);

    public string? PeerDockerfile => File.Exists(System.IO.Path.Combine(Directory, "Dockerfile.buildah")) ? System.IO.Path.Combine(Directory, "Dockerfile.buildah") : null;

    /// <summary>The <c>KEY = VALUE</c> lines of <c>expected-ours.txt</c>, or none.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> PinnedValues()
    {
        var file = System.IO.Path.Combine(Directory, "expected-ours.txt");
        return File.Exists(file)
            ? [.. File.ReadAllLines(file).Where(l => l.Length > 0).Select(l => KeyValuePair.Create(l[..l.IndexOf(" = ", StringComparison.Ordinal)], l[(l.IndexOf(" = ", StringComparison.Ordinal) + 3)..]))]
            : [];
    }

    public static DifferentialCase Load(string name)
    {
        var directory = System.IO.Path.Combine(Root, name);
        var args = new List<KeyValuePair<string, string>>();
        string? target = null;
        var secrets = new List<(string Id, string Source)>();
        var baseFile = System.IO.Path.Combine(directory, "base.txt");
        string[] bases = File.Exists(baseFile)
            ? [.. File.ReadAllLines(baseFile).Select(l => l.Trim()).Where(l => l.Length > 0)]
            : [DefaultBase];
        var argsFile = System.IO.Path.Combine(directory, "args.txt");
        var lines = File.Exists(argsFile) ? File.ReadAllLines(argsFile) : [];
        foreach (var line in lines.Where(l => l.Trim().Length > 0))
        {
            var (flag, value) = (line[..line.IndexOf(' ', StringComparison.Ordinal)], line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Trim());
            switch (flag)
            {
                case "--build-arg":
                    var equals = value.IndexOf('=', StringComparison.Ordinal);
                    args.Add(new(value[..equals], value[(equals + 1)..]));
                    break;
                case "--target":
                    target = value;
                    break;
                case "--secret":
                    var fields = value.Split(',').Select(f => (Name: f[..f.IndexOf('=', StringComparison.Ordinal)], Value: f[(f.IndexOf('=', StringComparison.Ordinal) + 1)..]))
                        .ToDictionary(f => f.Name, f => f.Value, StringComparer.Ordinal);
                    secrets.Add((fields["id"], System.IO.Path.Combine(directory, fields["src"])));
                    break;
                default:
                    throw new InvalidDataException($"{argsFile}: unknown flag {flag}");
            }
        }

        return new DifferentialCase(name, directory, args, target, bases, secrets);
    }

    /// <summary>
    /// Copies the case into <paramref name="context"/> with the modes git keeps (files 0644, or 0755 when executable;
    /// directories 0755) so that the checkout's umask does not leak into the images; symbolic links stay links.
    /// </summary>
    public void WriteContext(string context)
    {
        CopyTree(Directory, context, isRoot: true, Secrets.Select(s => System.IO.Path.GetFileName(s.Source)).ToHashSet(StringComparer.Ordinal));
        var links = System.IO.Path.Combine(Directory, "hardlinks.txt");
        foreach (var line in File.Exists(links) ? File.ReadAllLines(links).Where(l => l.Trim().Length > 0) : [])
        {
            var arrow = line.IndexOf(" => ", StringComparison.Ordinal);
            var created = System.IO.Path.Combine(context, line[..arrow].Trim());
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(created)!);
            Engine.Filesystem.LibC.Link(System.IO.Path.Combine(context, line[(arrow + 4)..].Trim()), created);
        }
    }

    private static void CopyTree(string source, string destination, bool isRoot, IReadOnlySet<string> secretFiles)
    {
        System.IO.Directory.CreateDirectory(destination);
        File.SetUnixFileMode(destination, (UnixFileMode)0x1ED);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            if (isRoot && (NotContext.Contains(entry.Name) || secretFiles.Contains(entry.Name)))
            {
                continue;
            }

            var target = System.IO.Path.Combine(destination, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo)
            {
                CopyTree(entry.FullName, target, isRoot: false, secretFiles);
            }
            else
            {
                File.Copy(entry.FullName, target);
                var executable = (entry.UnixFileMode & UnixFileMode.UserExecute) != 0;
                File.SetUnixFileMode(target, executable ? (UnixFileMode)0x1ED : (UnixFileMode)0x1A4);
            }
        }
    }
}
