using System.Diagnostics;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// Checks over the committed files themselves. Work lands through merges of parallel branches, and a conflict marker
/// left in a document once reached <c>main</c> unnoticed: no compiler reads Markdown, so this test does.
/// </summary>
public class RepositoryHygieneTests
{
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
