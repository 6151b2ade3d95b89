using Kaniko.Engine.Context;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Context;

/// <summary>
/// The shared <c>dockerignore</c> conformance data. The tables state patternmatcher's <c>MatchesOrParentMatches</c>;
/// this project follows BuildKit's context walker, so where <c>api-differences.tsv</c> holds the same patterns and
/// path, its walker column is the expectation (see docs/dockerignore.md).
/// </summary>
public sealed class DockerIgnoreConformanceTests(ITestOutputHelper output)
{
    private const string NoConformance = "the shared conformance folder is absent (set KANIKO_CONFORMANCE_DIR to run these cases)";

    private static readonly (string File, IgnoreCaseTables.Layout Layout)[] Tables =
    [
        ("cases.tsv", IgnoreCaseTables.Layout.PatternPathExpected),
        ("ordered-cases.tsv", IgnoreCaseTables.Layout.PathExpectedPatterns),
        ("invalid-patterns.tsv", IgnoreCaseTables.Layout.PatternPathExpected),
        ("api-differences.tsv", IgnoreCaseTables.Layout.ApiDifferences),
    ];

    private static string? Folder =>
        TestPaths.ConformanceDirectory is { } root ? Path.Combine(root, "dockerignore") : null;

    public static TheoryData<string, int> TableRows()
    {
        var data = new TheoryData<string, int>();
        if (Folder is null)
        {
            data.Add("none", 0);
            return data;
        }

        foreach (var (file, layout) in Tables)
        {
            foreach (var row in IgnoreCaseTables.Read(Path.Combine(Folder, file), layout))
            {
                data.Add(file, row.Line);
            }
        }

        return data;
    }

    public static TheoryData<string> WholeFiles()
    {
        var data = new TheoryData<string>();
        if (Folder is null)
        {
            data.Add("none");
            return data;
        }

        foreach (var directory in Directory.GetDirectories(Path.Combine(Folder, "whole-files")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Table_row_gives_the_expected_verdict(string file, int line)
    {
        if (Folder is null)
        {
            Assert.Skip(NoConformance);
        }

        var row = LoadTable(file).Single(r => r.Line == line);
        var expected = ExpectedFor(row);
        Assert.Equal(expected, IgnoreCaseTables.Evaluate(row.Patterns, row.Path));
    }

    [Theory]
    [MemberData(nameof(WholeFiles))]
    public void Whole_file_reads_and_filters_like_buildkit(string name)
    {
        if (Folder is null)
        {
            Assert.Skip(NoConformance);
        }

        var failure = WholeFileCase.Check(Path.Combine(Folder, "whole-files", name), preferWalker: true);
        Assert.Null(failure);
    }

    [Fact]
    public void Summary_reports_passed_over_total_per_file()
    {
        if (Folder is null)
        {
            Assert.Skip(NoConformance);
        }

        var failures = new List<string>();
        foreach (var (file, _) in Tables)
        {
            var rows = LoadTable(file);
            var overridden = 0;
            var passed = 0;
            foreach (var row in rows)
            {
                var expected = ExpectedFor(row);
                overridden += expected != row.Expected ? 1 : 0;
                if (IgnoreCaseTables.Evaluate(row.Patterns, row.Path) == expected)
                {
                    passed++;
                }
                else
                {
                    failures.Add($"{file}:{row.Line}");
                }
            }

            var note = overridden > 0 ? $" ({overridden} rows expect the BuildKit walker's answer from api-differences.tsv)" : string.Empty;
            output.WriteLine($"{file}: {passed}/{rows.Count} passed{note}");
        }

        var wholeFiles = Directory.GetDirectories(Path.Combine(Folder, "whole-files")).Order(StringComparer.Ordinal).ToArray();
        var wholePassed = 0;
        foreach (var directory in wholeFiles)
        {
            var failure = WholeFileCase.Check(directory, preferWalker: true);
            if (failure is null)
            {
                wholePassed++;
            }
            else
            {
                failures.Add($"whole-files/{Path.GetFileName(directory)}: {failure}");
            }
        }

        output.WriteLine($"whole-files: {wholePassed}/{wholeFiles.Length} passed");
        Assert.Empty(failures);
    }

    private static IReadOnlyList<IgnoreCase> LoadTable(string file)
    {
        var layout = Tables.Single(t => t.File == file).Layout;
        return IgnoreCaseTables.Read(Path.Combine(Folder!, file), layout);
    }

    private static string ExpectedFor(IgnoreCase row)
    {
        if (row.File == "api-differences.tsv")
        {
            return row.Expected;
        }

        var walker = LoadTable("api-differences.tsv").FirstOrDefault(d => d.Key == row.Key);
        return walker?.Expected ?? row.Expected;
    }
}
