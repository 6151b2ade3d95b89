using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

/// <summary>One row of a pattern table: the patterns (raw ignore-file lines), the path, and the expected verdict.</summary>
internal sealed record IgnoreCase(string File, int Line, IReadOnlyList<string> Patterns, string Path, string Expected)
{
    public string Key => Path + "\u0001" + string.Join('\u0002', Patterns);
}

/// <summary>Reads the tab-separated pattern tables (conformance and the project's own) and evaluates their rows.</summary>
internal static class IgnoreCaseTables
{
    /// <summary>The table files and how their columns are laid out.</summary>
    public enum Layout
    {
        /// <summary><c>pattern, path, expected</c> (cases.tsv, invalid-patterns.tsv).</summary>
        PatternPathExpected,
        /// <summary><c>path, expected, pattern...</c> (ordered-cases.tsv and the project's table).</summary>
        PathExpectedPatterns,
        /// <summary><c>path, MatchesOrParentMatches, Matches, walker, pattern...</c> (api-differences.tsv).</summary>
        ApiDifferences,
    }

    public static IReadOnlyList<IgnoreCase> Read(string file, Layout layout)
    {
        var rows = new List<IgnoreCase>();
        var lines = System.IO.File.ReadAllText(file, new UTF8Encoding(false)).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('\t');
            var name = System.IO.Path.GetFileName(file);
            rows.Add(layout switch
            {
                Layout.PatternPathExpected => new IgnoreCase(name, i + 1, [fields[0]], fields[1], fields[2]),
                Layout.PathExpectedPatterns => new IgnoreCase(name, i + 1, Patterns(fields[2..]), fields[0], fields[1]),
                _ => new IgnoreCase(name, i + 1, Patterns(fields[4..]), fields[0], fields[3]),
            });
        }

        return rows;
    }

    /// <summary>Runs a row through the matcher: <c>match</c>, <c>nomatch</c> or <c>error</c>.</summary>
    public static string Evaluate(IReadOnlyList<string> patterns, string path)
    {
        try
        {
            var content = Encoding.UTF8.GetBytes(string.Join('\n', patterns));
            var matcher = DockerIgnoreMatcher.Parse(content, ".dockerignore");
            return matcher.IsExcluded(path) ? "match" : "nomatch";
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.IgnorePatternInvalid)
        {
            return "error";
        }
    }

    // A row with one empty pattern column means "no patterns at all".
    private static string[] Patterns(string[] cells) => cells.Length == 1 && cells[0].Length == 0 ? [] : cells;
}
