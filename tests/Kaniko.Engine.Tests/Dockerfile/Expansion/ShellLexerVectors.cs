using System.Text;
using System.Text.Json;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Dockerfile.Expansion;

/// <summary>
/// Reads the shared BuildKit vectors in <c>shell-lexer/</c> (see its FORMAT.md) and checks one case against
/// <see cref="ShellLexer"/>. Each check returns <c>null</c> when the case passes, or a description of the difference.
/// </summary>
internal static class ShellLexerVectors
{
    public const string MissingReason = "the shared conformance folder (shell-lexer/) is not present in this checkout";

    private static readonly Lazy<IReadOnlyList<EnvVarCase>> EnvVarCases = new(LoadEnvVarCases);
    private static readonly Lazy<IReadOnlyList<WordsCase>> WordsCases = new(LoadWordsCases);
    private static readonly Lazy<IReadOnlyList<ProcessWordCase>> ProcessWordCases = new(LoadProcessWordCases);

    /// <summary>The <c>envVarTest</c> environment, fixed for the whole file.</summary>
    private static readonly VariableMap EnvVarEnvironment = new(
    [
        new("PWD", "/home"),
        new("SHELL", "bash"),
        new("KOREAN", "한국어"),
        new("NULL", ""),
    ]);

    public static string? Folder =>
        TestPaths.ConformanceDirectory is { } root && Directory.Exists(Path.Combine(root, "shell-lexer"))
            ? Path.Combine(root, "shell-lexer")
            : null;

    public static IReadOnlyList<EnvVarCase> EnvVar => EnvVarCases.Value;

    public static IReadOnlyList<WordsCase> Words => WordsCases.Value;

    public static IReadOnlyList<ProcessWordCase> ProcessWord => ProcessWordCases.Value;

    public static string? Check(EnvVarCase testCase)
    {
        var lexer = new ShellLexer();
        try
        {
            var actual = lexer.ProcessWord(testCase.Source, EnvVarEnvironment).Value;
            return testCase.Expected == "error" ? $"expected an error, got \"{actual}\""
                : actual == testCase.Expected ? null
                : $"expected \"{testCase.Expected}\", got \"{actual}\"";
        }
        catch (ShellExpansionException e)
        {
            return testCase.Expected == "error" ? null : $"expected \"{testCase.Expected}\", got error: {e.Message}";
        }
    }

    public static string? Check(WordsCase testCase)
    {
        var lexer = new ShellLexer();
        try
        {
            var actual = lexer.ProcessWords(testCase.Input, testCase.Environment);
            return testCase.Expected is ["error"] ? $"expected an error, got {Show(actual)}"
                : actual.SequenceEqual(testCase.Expected) ? null
                : $"expected {Show(testCase.Expected)}, got {Show(actual)}";
        }
        catch (ShellExpansionException e)
        {
            return testCase.Expected is ["error"] ? null : $"expected {Show(testCase.Expected)}, got error: {e.Message}";
        }
    }

    public static string? Check(ProcessWordCase testCase)
    {
        var lexer = new ShellLexer();
        ExpansionResult result;
        try
        {
            result = lexer.ProcessWord(testCase.Input, testCase.Environment);
        }
        catch (ShellExpansionException e)
        {
            if (!testCase.Error)
            {
                return $"expected \"{testCase.Expected}\", got error: {e.Message}";
            }

            return testCase.ErrorContains is { } text && !e.Message.Contains(text, StringComparison.Ordinal)
                ? $"expected an error containing \"{text}\", got: {e.Message}"
                : null;
        }

        if (testCase.Error)
        {
            return $"expected an error, got \"{result.Value}\"";
        }

        if (result.Value != testCase.Expected)
        {
            return $"expected \"{testCase.Expected}\", got \"{result.Value}\"";
        }

        if (testCase.Matched is { } matched && !result.Matched.Order(StringComparer.Ordinal).SequenceEqual(matched))
        {
            return $"expected matched {Show(matched)}, got {Show([.. result.Matched.Order(StringComparer.Ordinal)])}";
        }

        if (testCase.Unmatched is { } unmatched && !result.Unmatched.Order(StringComparer.Ordinal).SequenceEqual(unmatched))
        {
            return $"expected unmatched {Show(unmatched)}, got {Show([.. result.Unmatched.Order(StringComparer.Ordinal)])}";
        }

        return null;
    }

    private static string Show(IEnumerable<string> words) => "[" + string.Join(", ", words.Select(w => $"\"{w}\"")) + "]";

    /// <summary>The lines of a file read as UTF-8 bytes, split at LF with a trailing CR removed (as Go's bufio.Scanner does).</summary>
    private static IEnumerable<(int Number, string Text)> ReadLines(string fileName)
    {
        var text = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(Path.Combine(Folder!, fileName)));
        var lines = text.Split('\n');
        var count = text.EndsWith('\n') ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            yield return (i + 1, lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i]);
        }
    }

    private static IReadOnlyList<EnvVarCase> LoadEnvVarCases()
    {
        var cases = new List<EnvVarCase>();
        foreach (var (number, raw) in ReadLines("envVarTest"))
        {
            if (raw.StartsWith('#') || raw.Trim().Length == 0)
            {
                continue;
            }

            var fields = raw.Trim().Split('|');
            if (fields.Length != 3)
            {
                throw new InvalidDataException($"envVarTest:{number}: expected 3 fields");
            }

            var platform = fields[0].Trim();
            // A Linux builder runs the rows for every platform (A) and for non-Windows ones (U); W rows are Windows-only.
            if (platform is "A" or "U")
            {
                cases.Add(new EnvVarCase(number, fields[1].Trim(), fields[2].Trim()));
            }
        }

        return cases;
    }

    private static IReadOnlyList<WordsCase> LoadWordsCases()
    {
        var cases = new List<WordsCase>();
        var environment = new VariableMap();
        foreach (var (number, raw) in ReadLines("wordsTest"))
        {
            if (raw.StartsWith('#') || raw.Length == 0)
            {
                continue;
            }

            if (raw.StartsWith("ENV ", StringComparison.Ordinal))
            {
                var entry = raw[3..].TrimStart(' ');
                var equals = entry.IndexOf('=', StringComparison.Ordinal);
                environment.Set(equals < 0 ? entry : entry[..equals], equals < 0 ? "" : entry[(equals + 1)..]);
                continue;
            }

            var fields = raw.Split('|');
            if (fields.Length != 2)
            {
                throw new InvalidDataException($"wordsTest:{number}: expected exactly one |");
            }

            cases.Add(new WordsCase(number, fields[0].Trim(), fields[1].TrimStart(' ').Split(','), new VariableMap(environment)));
        }

        return cases;
    }

    private static IReadOnlyList<ProcessWordCase> LoadProcessWordCases()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder!, "derived", "process-word.json")));
        var cases = new List<ProcessWordCase>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var environment = new VariableMap();
            foreach (var variable in item.GetProperty("env").EnumerateObject())
            {
                environment.Set(variable.Name, variable.Value.GetString()!);
            }

            cases.Add(new ProcessWordCase(
                cases.Count,
                item.GetProperty("input").GetString()!,
                environment,
                item.TryGetProperty("expected", out var expected) ? expected.GetString() : null,
                item.TryGetProperty("error", out var error) && error.GetBoolean(),
                item.TryGetProperty("errorContains", out var contains) ? contains.GetString() : null,
                item.TryGetProperty("matched", out var matched) ? [.. matched.EnumerateArray().Select(e => e.GetString()!)] : null,
                item.TryGetProperty("unmatched", out var unmatched) ? [.. unmatched.EnumerateArray().Select(e => e.GetString()!)] : null));
        }

        return cases;
    }
}

/// <summary>A line of <c>envVarTest</c> that applies on Linux.</summary>
internal sealed record EnvVarCase(int Line, string Source, string Expected);

/// <summary>A case of <c>wordsTest</c> with the environment in force at its line.</summary>
internal sealed record WordsCase(int Line, string Input, IReadOnlyList<string> Expected, VariableMap Environment);

/// <summary>An entry of <c>derived/process-word.json</c>.</summary>
internal sealed record ProcessWordCase(int Index, string Input, VariableMap Environment, string? Expected, bool Error,
    string? ErrorContains, IReadOnlyList<string>? Matched, IReadOnlyList<string>? Unmatched);
