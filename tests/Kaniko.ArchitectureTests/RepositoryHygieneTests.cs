using System.Diagnostics;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// Checks over the committed files themselves. Work lands through merges of parallel branches, and a conflict marker
/// left in a document once reached <c>main</c> unnoticed: no compiler reads Markdown, so this test does.
/// </summary>
public class RepositoryHygieneTests
{
    private const int LongFile = 400;

    private static readonly string[] Markers = ["<<<<<<< ", ">>>>>>> "];

    [Fact]
    public void No_committed_file_holds_a_merge_conflict_marker()
    {
        var root = RepositoryRoot();
        var offenders = new List<string>();
        foreach (var relative in TrackedFiles(root))
        {
            var path = Path.Combine(root, relative);
            // Links (test data holds dangling ones on purpose) are not text to read.
            if (!File.Exists(path) || new FileInfo(path).LinkTarget is not null || IsBinary(path))
            {
                continue;
            }

            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (Markers.Any(marker => line.StartsWith(marker, StringComparison.Ordinal)) || line == "=======")
                {
                    offenders.Add($"{relative}:{lineNumber}: {line}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    /// <summary>
    /// A source file over <see cref="LongFile"/> lines is one cohesive algorithm (a lexer, a parser, a protocol) and
    /// says so in its opening comment ("kept ... on purpose"); anything else is split.
    /// </summary>
    [Fact]
    public void A_long_source_file_says_why_it_is_kept_whole()
    {
        var root = RepositoryRoot();
        var offenders = TrackedFiles(root)
            .Where(relative => relative.StartsWith("src/", StringComparison.Ordinal) && relative.EndsWith(".cs", StringComparison.Ordinal))
            .Select(relative => (relative, Lines: File.ReadAllLines(Path.Combine(root, relative))))
            .Where(file => file.Lines.Length > LongFile
                && !file.Lines.Take(80).Any(line => line.Contains("on purpose", StringComparison.Ordinal)))
            .Select(file => $"{file.relative}: {file.Lines.Length} lines, no reason given for keeping it whole")
            .ToList();

        Assert.Empty(offenders);
    }

    private static IEnumerable<string> TrackedFiles(string root)
    {
        var start = new ProcessStartInfo("git", ["-C", root, "ls-files", "-z"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var git = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var listing = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            Assert.Skip("not a git checkout, nothing to check");
        }

        return listing.Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool IsBinary(string path)
    {
        Span<byte> head = stackalloc byte[8000];
        using var stream = File.OpenRead(path);
        var read = stream.Read(head);
        return head[..read].Contains((byte)0);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (global.json) was not found above " + AppContext.BaseDirectory);
    }
}
