using Kaniko.Engine.Tests.Dockerfile.Expansion;

namespace Kaniko.Engine.Tests.Dockerfile.Expansion;

/// <summary>
/// BuildKit's own lexer vectors, from the shared conformance folder: <c>envVarTest</c> (the rows for Linux),
/// <c>wordsTest</c> and <c>derived/process-word.json</c>. Every case is its own test; without the folder each theory
/// reports one skipped case. The project's own table (<c>TestData/Expansion/cases.txt</c>) runs regardless.
/// </summary>
public sealed class ShellLexerConformanceTests(ITestOutputHelper output)
{
    public static TheoryData<int, string, string> EnvVarRows()
    {
        if (ShellLexerVectors.Folder is null)
        {
            return new TheoryData<int, string, string> { { 0, "", "" } };
        }

        var rows = new TheoryData<int, string, string>();
        foreach (var c in ShellLexerVectors.EnvVar)
        {
            rows.Add(c.Line, c.Source, c.Expected);
        }

        return rows;
    }

    public static TheoryData<int, string> WordsRows()
    {
        if (ShellLexerVectors.Folder is null)
        {
            return new TheoryData<int, string> { { 0, "" } };
        }

        var rows = new TheoryData<int, string>();
        foreach (var c in ShellLexerVectors.Words)
        {
            rows.Add(c.Line, c.Input);
        }

        return rows;
    }

    public static TheoryData<int, string> ProcessWordRows()
    {
        if (ShellLexerVectors.Folder is null)
        {
            return new TheoryData<int, string> { { -1, "" } };
        }

        var rows = new TheoryData<int, string>();
        foreach (var c in ShellLexerVectors.ProcessWord)
        {
            rows.Add(c.Index, c.Input);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EnvVarRows))]
    public void EnvVarTest(int line, string source, string expected)
    {
        SkipWhenAbsent();
        var failure = ShellLexerVectors.Check(new EnvVarCase(line, source, expected));
        Assert.True(failure is null, $"envVarTest:{line} {source}: {failure}");
    }

    [Theory]
    [MemberData(nameof(WordsRows))]
    public void WordsTest(int line, string input)
    {
        SkipWhenAbsent();
        var testCase = ShellLexerVectors.Words.Single(c => c.Line == line);
        var failure = ShellLexerVectors.Check(testCase);
        Assert.True(failure is null, $"wordsTest:{line} {input}: {failure}");
    }

    [Theory]
    [MemberData(nameof(ProcessWordRows))]
    public void ProcessWordJson(int index, string input)
    {
        SkipWhenAbsent();
        var failure = ShellLexerVectors.Check(ShellLexerVectors.ProcessWord[index]);
        Assert.True(failure is null, $"process-word.json[{index}] {input}: {failure}");
    }

    [Fact]
    public void Summary()
    {
        SkipWhenAbsent();
        var failures = new List<string>();
        Report("envVarTest (A and U rows)", ShellLexerVectors.EnvVar, ShellLexerVectors.Check, c => $"line {c.Line}: {c.Source}", failures);
        Report("wordsTest", ShellLexerVectors.Words, ShellLexerVectors.Check, c => $"line {c.Line}: {c.Input}", failures);
        Report("derived/process-word.json", ShellLexerVectors.ProcessWord, ShellLexerVectors.Check, c => $"[{c.Index}]: {c.Input}", failures);
        Assert.Empty(failures);
    }

    private void Report<T>(string file, IReadOnlyList<T> cases, Func<T, string?> check, Func<T, string> describe, List<string> failures)
    {
        var failed = cases.Select(c => (Case: c, Failure: check(c))).Where(r => r.Failure is not null).ToList();
        output.WriteLine($"{file}: {cases.Count - failed.Count}/{cases.Count} passed");
        foreach (var (c, failure) in failed)
        {
            var line = $"  {file} {describe(c)}: {failure}";
            output.WriteLine(line);
            failures.Add(line);
        }
    }

    private static void SkipWhenAbsent()
    {
        if (ShellLexerVectors.Folder is null)
        {
            Assert.Skip(ShellLexerVectors.MissingReason);
        }
    }
}
