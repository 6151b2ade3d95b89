using System.Text;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>Shared pieces of <see cref="Instruction.Format"/>: one line, words quoted only where needed.</summary>
internal static class InstructionText
{
    /// <summary>A JSON array of strings, as an exec-form instruction is written: <c>["a", "b"]</c>.</summary>
    internal static string JsonArray(IEnumerable<string> items)
    {
        var builder = new StringBuilder("[");
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendJsonString(builder, item);
        }

        return builder.Append(']').ToString();
    }

    /// <summary>A word as shown on one line: JSON-quoted when empty or when it holds whitespace, quotes or control characters.</summary>
    internal static string Word(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c == '"' || char.IsControl(c)))
        {
            return word;
        }

        var builder = new StringBuilder();
        AppendJsonString(builder, word);
        return builder.ToString();
    }

    /// <summary>Joins a keyword, flags and words with single spaces, skipping empty parts.</summary>
    internal static string Line(string keyword, IEnumerable<string> flags, IEnumerable<string> words) =>
        string.Join(' ', new[] { keyword }.Concat(flags).Concat(words).Where(p => p.Length > 0));

    /// <summary>A string flag as <c>--name=value</c> (value quoted when needed), or nothing when absent.</summary>
    internal static IEnumerable<string> Flag(string name, string? value)
    {
        if (value is not null)
        {
            yield return "--" + name + "=" + QuoteFlagValue(value);
        }
    }

    /// <summary>A boolean flag as <c>--name</c> when set, <c>--name=false</c> when explicitly false, nothing when absent.</summary>
    internal static IEnumerable<string> Flag(string name, bool? value)
    {
        if (value is { } v)
        {
            yield return v ? "--" + name : "--" + name + "=false";
        }
    }

    internal static string QuoteFlagValue(string value) => Word(value);

    private static void AppendJsonString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
