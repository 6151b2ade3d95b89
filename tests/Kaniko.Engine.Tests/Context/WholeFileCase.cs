using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

/// <summary>
/// A whole ignore file case: <c>dockerignore</c> (raw bytes), <c>patterns.txt</c> (what the reader returns),
/// <c>tree.txt</c> (files to create), <c>included.txt</c> / <c>included-buildkit-walker.txt</c> (files kept),
/// or <c>error.txt</c> when the patterns must not compile.
/// </summary>
internal static class WholeFileCase
{
    /// <summary>Runs the case; returns <c>null</c> when it passes, else what went wrong.</summary>
    public static string? Check(string directory, bool preferWalker)
    {
        var content = File.ReadAllBytes(Path.Combine(directory, "dockerignore"));
        var expectedPatterns = Lines(Path.Combine(directory, "patterns.txt"));
        var patterns = DockerIgnoreMatcher.ReadPatterns(content);
        if (!patterns.SequenceEqual(expectedPatterns))
        {
            return $"patterns [{string.Join(", ", patterns)}] instead of [{string.Join(", ", expectedPatterns)}]";
        }

        DockerIgnoreMatcher matcher;
        try
        {
            matcher = DockerIgnoreMatcher.Parse(content, "dockerignore");
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.IgnorePatternInvalid)
        {
            return File.Exists(Path.Combine(directory, "error.txt")) ? null : "unexpected error: " + e.Message;
        }

        if (File.Exists(Path.Combine(directory, "error.txt")))
        {
            return "the patterns compiled although error.txt expects a failure";
        }

        var walkerFile = Path.Combine(directory, "included-buildkit-walker.txt");
        var expected = Lines(preferWalker && File.Exists(walkerFile) ? walkerFile : Path.Combine(directory, "included.txt"));
        using var tree = new TempTree();
        foreach (var file in Lines(Path.Combine(directory, "tree.txt")))
        {
            tree.AddFile(file);
        }

        using var context = new DirectoryBuildContext(tree.Root, matcher);
        var included = context.EnumerateEntries()
            .Where(e => e.Kind == ContextEntryKind.File)
            .Select(e => e.Path)
            .Order(StringComparer.Ordinal)
            .ToArray();
        return included.SequenceEqual(expected)
            ? null
            : $"included [{string.Join(", ", included)}] instead of [{string.Join(", ", expected)}]";
    }

    private static string[] Lines(string file) =>
        File.ReadAllText(file, new UTF8Encoding(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
