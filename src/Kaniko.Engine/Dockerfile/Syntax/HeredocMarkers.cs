using System.Globalization;
using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// Finds heredoc markers (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-'EOF'</c>, <c>3&lt;&lt;X</c>) as BuildKit does: the logical
/// line is split into raw shell words, and each word that is exactly <c>^(\d*)&lt;&lt;(-?)\s*([^&lt;]*)$</c> is a
/// marker whose name is the last part after quote removal.
/// </summary>
internal static class HeredocMarkers
{
    /// <summary>
    /// The markers of a whole logical line, in order, with empty content. A line the shell reader cannot split
    /// (an unbalanced quote) has none, as in BuildKit, which ignores that failure.
    /// </summary>
    /// <exception cref="ShellWordException">A marker word is not a valid shell word.</exception>
    public static IReadOnlyList<Heredoc> FromLine(string line)
    {
        List<string> words;
        try
        {
            words = RawShellWords.Split(line, rawQuotes: true, rawEscapes: true);
        }
        catch (ShellWordException)
        {
            return [];
        }

        var markers = new List<Heredoc>();
        foreach (var word in words)
        {
            if (ParseWord(word) is { } marker)
            {
                markers.Add(marker);
            }
        }

        return markers;
    }

    /// <summary>The marker one word stands for, or <c>null</c> when it is not one.</summary>
    /// <exception cref="ShellWordException">The part after <c>&lt;&lt;</c> is not a valid shell word.</exception>
    public static Heredoc? ParseWord(string word)
    {
        var pos = 0;
        while (pos < word.Length && word[pos] is >= '0' and <= '9')
        {
            pos++;
        }

        var digits = word[..pos];
        if (string.CompareOrdinal(word, pos, "<<", 0, 2) != 0)
        {
            return null;
        }

        pos += 2;
        var chomp = pos < word.Length && word[pos] == '-';
        if (chomp)
        {
            pos++;
        }

        while (pos < word.Length && GoText.IsRegexSpace(word[pos]))
        {
            pos++;
        }

        var rest = word[pos..];
        if (rest.Length == 0 || rest.Contains('<', StringComparison.Ordinal))
        {
            return null;
        }

        var words = RawShellWords.Split(rest, rawQuotes: false, rawEscapes: false);
        if (words.Count != 1)
        {
            return null;
        }

        var rawWords = RawShellWords.Split(rest, rawQuotes: true, rawEscapes: false);
        if (rawWords.Count != words.Count)
        {
            throw new ShellWordException("internal lexing of heredoc produced inconsistent results: " + rest);
        }

        // Quotes that disappear when quotes are processed mean part of the name was quoted: no expansion.
        var expand = CountQuotes(words[0]) == CountQuotes(rawWords[0]);
        return new Heredoc(words[0], "", expand, chomp, ParseFileDescriptor(digits));
    }

    private static int CountQuotes(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (c is '\'' or '"')
            {
                count++;
            }
        }

        return count;
    }

    // Go parses the digits as an unsigned integer and keeps the maximum on overflow; we clamp to int.
    private static int ParseFileDescriptor(string digits)
    {
        if (digits.Length == 0)
        {
            return 0;
        }

        return ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= int.MaxValue
            ? (int)value
            : int.MaxValue;
    }
}
