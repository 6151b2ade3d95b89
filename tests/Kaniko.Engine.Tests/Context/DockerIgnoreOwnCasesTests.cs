using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Context;

/// <summary>The project's own pattern table and whole ignore files under <c>TestData/DockerIgnore</c>.</summary>
public sealed class DockerIgnoreOwnCasesTests
{
    private static readonly string Folder = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "DockerIgnore");

    private static IReadOnlyList<IgnoreCase> Rows =>
        IgnoreCaseTables.Read(Path.Combine(Folder, "cases.tsv"), IgnoreCaseTables.Layout.PathExpectedPatterns);

    public static TheoryData<int> TableLines()
    {
        var data = new TheoryData<int>();
        foreach (var row in Rows)
        {
            data.Add(row.Line);
        }

        return data;
    }

    public static TheoryData<string> WholeFiles()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Path.Combine(Folder, "whole-files")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TableLines))]
    public void Row_gives_the_expected_verdict(int line)
    {
        var row = Rows.Single(r => r.Line == line);

        Assert.Equal(row.Expected, IgnoreCaseTables.Evaluate(row.Patterns, row.Path));
    }

    [Theory]
    [MemberData(nameof(WholeFiles))]
    public void Whole_file_reads_and_filters(string name) =>
        Assert.Null(WholeFileCase.Check(Path.Combine(Folder, "whole-files", name), preferWalker: true));

    [Fact]
    public void Table_has_enough_cases_to_stand_alone() => Assert.True(Rows.Count >= 60);
}
