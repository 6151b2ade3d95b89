using System.Text;
using System.Text.Json;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Dockerfile.Syntax;

/// <summary>
/// Runs BuildKit's parser cases from the shared conformance folder (<c>dockerfile-parser/</c>), one test per case.
/// When the folder is absent every theory yields one skipped case. No case is excluded.
/// </summary>
public sealed class DockerfileParserConformanceTests(ITestOutputHelper output)
{
    private const string Absent = "(conformance data absent)";

    private static string? Root =>
        TestPaths.ConformanceDirectory is { } directory && Directory.Exists(Path.Combine(directory, "dockerfile-parser"))
            ? Path.Combine(directory, "dockerfile-parser")
            : null;

    public static TheoryData<string> UpstreamPositive => Folders("positive");

    public static TheoryData<string> UpstreamNegative => Folders("negative");

    public static TheoryData<string> DerivedPositive => Folders("derived/positive");

    public static TheoryData<string> DerivedNegative => Folders("derived/negative");

    public static TheoryData<string> HeredocWords
    {
        get
        {
            var data = new TheoryData<string>();
            if (Root is null)
            {
                data.Add(Absent);
                return data;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "derived", "heredoc-words.json")));
            var index = 0;
            foreach (var row in document.RootElement.EnumerateArray())
            {
                data.Add($"{index++:D2} {row.GetProperty("kind").GetString()} {row.GetProperty("input").GetString()}");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UpstreamPositive))]
    public void Upstream_positive_case_dumps_as_expected(string name) => AssertPositive("positive", name);

    [Theory]
    [MemberData(nameof(DerivedPositive))]
    public void Derived_positive_case_matches_dump_nodes_and_warnings(string name) => AssertPositive("derived/positive", name);

    [Theory]
    [MemberData(nameof(UpstreamNegative))]
    public void Upstream_negative_case_is_rejected(string name) => AssertNegative("negative", name);

    [Theory]
    [MemberData(nameof(DerivedNegative))]
    public void Derived_negative_case_is_rejected(string name) => AssertNegative("derived/negative", name);

    [Theory]
    [MemberData(nameof(HeredocWords))]
    public void Heredoc_marker_vector_matches(string label)
    {
        var root = RequireRoot(label);
        var index = int.Parse(label[..2], System.Globalization.CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "derived", "heredoc-words.json")));
        Assert.Null(CheckHeredocRow(document.RootElement[index]));
    }

    [Fact]
    public void Line_info_case_has_expected_lines()
    {
        var root = RequireRoot("line-info");
        Assert.Null(ParserCaseChecks.CheckPositive(Path.Combine(root, "line-info")));
    }

    [Fact]
    public void Summary_reports_passed_over_total_per_folder()
    {
        var root = RequireRoot("summary");
        var failures = new List<string>();
        var lines = new List<string>();

        void Count(string folder, IEnumerable<(string Name, string? Problem)> results)
        {
            var list = results.ToList();
            var passed = list.Count(r => r.Problem is null);
            lines.Add($"{folder}: {passed}/{list.Count}");
            failures.AddRange(list.Where(r => r.Problem is not null).Select(r => $"{folder}/{r.Name}: {r.Problem}"));
        }

        Count("positive", CaseNames(root, "positive").Select(n => (n, ParserCaseChecks.CheckPositive(Path.Combine(root, "positive", n)))));
        Count("negative", CaseNames(root, "negative").Select(n => (n, ParserCaseChecks.CheckNegative(Path.Combine(root, "negative", n)))));
        Count("derived/positive", CaseNames(root, "derived/positive").Select(n => (n, ParserCaseChecks.CheckPositive(Path.Combine(root, "derived/positive", n)))));
        Count("derived/negative", CaseNames(root, "derived/negative").Select(n => (n, ParserCaseChecks.CheckNegative(Path.Combine(root, "derived/negative", n)))));
        using (var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "derived", "heredoc-words.json"))))
        {
            Count("derived/heredoc-words.json", document.RootElement.EnumerateArray()
                .Select((row, i) => ($"{i} {row.GetProperty("input").GetString()}", CheckHeredocRow(row))).ToList());
        }

        Count("line-info", [("line-info", ParserCaseChecks.CheckPositive(Path.Combine(root, "line-info")))]);

        foreach (var line in lines)
        {
            output.WriteLine(line);
        }

        foreach (var failure in failures)
        {
            output.WriteLine("FAILED " + failure);
        }

        Assert.Empty(failures);
    }

    private static string? CheckHeredocRow(JsonElement row)
    {
        var kind = row.GetProperty("kind").GetString();
        var input = row.GetProperty("input").GetString()!;
        var expectError = row.GetProperty("error").GetBoolean();
        var expected = row.GetProperty("heredocs").EnumerateArray().Select(ParserCaseChecks.ReadHeredoc).ToList();
        List<Heredoc> actual;
        try
        {
            actual = kind == "word"
                ? HeredocMarkers.ParseWord(input) is { } marker ? [marker] : []
                : [.. HeredocMarkers.FromLine(input)];
        }
        catch (ShellWordException error)
        {
            return expectError ? null : "unexpected error: " + error.Message;
        }

        if (expectError)
        {
            return "expected an error, got " + ParserCaseChecks.Describe(actual);
        }

        return expected.SequenceEqual(actual)
            ? null
            : $"got {ParserCaseChecks.Describe(actual)}, expected {ParserCaseChecks.Describe(expected)}";
    }

    private void AssertPositive(string folder, string name)
    {
        var root = RequireRoot(name);
        var problem = ParserCaseChecks.CheckPositive(Path.Combine(root, folder, name));
        if (problem is not null)
        {
            output.WriteLine(problem);
        }

        Assert.Null(problem);
    }

    private static void AssertNegative(string folder, string name)
    {
        var root = RequireRoot(name);
        Assert.Null(ParserCaseChecks.CheckNegative(Path.Combine(root, folder, name)));
    }

    private static string RequireRoot(string label)
    {
        if (Root is not { } root || label == Absent)
        {
            Assert.Skip("the shared conformance folder (../shared/conformance/dockerfile-parser) is not present; set KANIKO_CONFORMANCE_DIR to run these cases");
            throw new InvalidOperationException("unreachable");
        }

        return root;
    }

    private static TheoryData<string> Folders(string relative)
    {
        var data = new TheoryData<string>();
        if (Root is not { } root)
        {
            data.Add(Absent);
            return data;
        }

        foreach (var name in CaseNames(root, relative))
        {
            data.Add(name);
        }

        return data;
    }

    private static IEnumerable<string> CaseNames(string root, string relative) =>
        Directory.GetDirectories(Path.Combine(root, relative))
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal);
}
