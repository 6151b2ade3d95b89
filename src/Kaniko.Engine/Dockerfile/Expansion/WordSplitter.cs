using System.Text;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// Collects the words of <see cref="ShellLexer.ProcessWords"/>. Unquoted literal text and unquoted expansions are
/// split at white space; quoted text and escaped characters are glued to the current word. A word that ends up
/// empty is dropped, so <c>""</c> alone gives no word at all, as in BuildKit.
/// </summary>
internal sealed class WordSplitter
{
    private readonly StringBuilder _current = new();
    private List<string>? _words;
    private bool _inWord;

    /// <summary>Adds text that splits at white space (unquoted literal text or an unquoted expansion).</summary>
    public void AddSplitting(ReadOnlySpan<char> text)
    {
        foreach (var ch in text)
        {
            if (!char.IsWhiteSpace(ch))
            {
                _current.Append(ch);
                _inWord = true;
            }
            else if (_inWord && _current.Length != 0)
            {
                // A separator after an empty quoted string ("" then a space) keeps inWord set but ends nothing:
                // BuildKit only closes a word that has characters.
                Flush();
                _inWord = false;
            }
        }
    }

    /// <summary>Adds text that never splits (quoted text, an escaped character).</summary>
    public void AddWhole(ReadOnlySpan<char> text)
    {
        _current.Append(text);
        _inWord = true;
    }

    /// <summary>Adds one character that never splits.</summary>
    public void AddWhole(char ch)
    {
        _current.Append(ch);
        _inWord = true;
    }

    /// <summary>Ends the input and returns the words.</summary>
    public IReadOnlyList<string> Finish()
    {
        if (_current.Length != 0)
        {
            Flush();
        }

        return _words is null ? [] : _words;
    }

    private void Flush()
    {
        (_words ??= []).Add(_current.ToString());
        _current.Clear();
    }
}
