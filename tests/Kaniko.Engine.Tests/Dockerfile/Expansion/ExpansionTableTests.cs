using System.Globalization;
using System.Text;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Dockerfile.Expansion;

/// <summary>The project's own expansion table, <c>TestData/Expansion/cases.txt</c>; its header documents the format.</summary>
public sealed class ExpansionTableTests
{
    private static readonly Lazy<(VariableMap Environment, List<object[]> Cases)> Table = new(Load);

    public static TheoryData<int, string, string, string, string> Cases()
    {
        var rows = new TheoryData<int, string, string, string, string>();
        foreach (var row in Table.Value.Cases)
        {
            rows.Add((int)row[0], (string)row[1], (string)row[2], (string)row[3], (string)row[4]);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(int line, string mode, string input, string expected, string names)
    {
        _ = line;
        var escape = mode.EndsWith('`') ? '`' : '\\';
        var kind = mode.TrimEnd('`');
        var lexer = kind switch
        {
            "skip" => new ShellLexer(escape) { SkipUnsetVariables = true },
            "rawq" => new ShellLexer(escape) { RawQuotes = true },
            "rawe" => new ShellLexer(escape) { RawEscapes = true },
            _ => new ShellLexer(escape),
        };
        var environment = Table.Value.Environment;

        if (expected.StartsWith("!error ", StringComparison.Ordinal))
        {
            var error = Assert.Throws<ShellExpansionException>(() => Run(lexer, kind, input, environment));
            var marker = expected["!error ".Length..];
            var space = marker.IndexOf(' ', StringComparison.Ordinal);
            var code = int.Parse(space < 0 ? marker : marker[..space], CultureInfo.InvariantCulture);
            Assert.Equal(code, error.Code.Number);
            if (space >= 0)
            {
                Assert.Contains(marker[(space + 1)..], error.Detail, StringComparison.Ordinal);
            }

            return;
        }

        switch (kind)
        {
            case "words":
            case "raw":
                var words = kind == "raw" ? lexer.SplitRawWords(input) : lexer.ProcessWords(input, environment);
                Assert.Equal(expected.Length == 0 ? [] : expected.Split(','), words);
                break;
            default:
                var result = lexer.ProcessWord(input, environment);
                Assert.Equal(expected, result.Value);
                if (names.Length != 0)
                {
                    var parts = names.Split(';');
                    Assert.Equal(parts[0], string.Join(',', result.Matched.Order(StringComparer.Ordinal)));
                    Assert.Equal(parts[1], string.Join(',', result.Unmatched.Order(StringComparer.Ordinal)));
                }

                break;
        }
    }

    private static object Run(ShellLexer lexer, string kind, string input, VariableMap environment) => kind switch
    {
        "words" => lexer.ProcessWords(input, environment),
        "raw" => lexer.SplitRawWords(input),
        _ => lexer.ProcessWord(input, environment),
    };

    private static (VariableMap, List<object[]>) Load()
    {
        var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Expansion", "cases.txt");
        var text = new UTF8Encoding(false, true).GetString(File.ReadAllBytes(path));
        var environment = new VariableMap();
        var cases = new List<object[]>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('|');
            if (fields.Length != 4)
            {
                throw new InvalidDataException($"cases.txt:{i + 1}: expected 4 fields separated by |, found {fields.Length}");
            }

            if (fields[0] == "env")
            {
                environment.Set(fields[1], fields[2]);
            }
            else
            {
                cases.Add([i + 1, fields[0], fields[1], fields[2], fields[3]]);
            }
        }

        return (environment, cases);
    }
}
