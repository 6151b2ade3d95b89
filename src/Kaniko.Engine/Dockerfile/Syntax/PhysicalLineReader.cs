using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// Reads a Dockerfile one physical line at a time, as BuildKit's scanner does: each line keeps its own line ending,
/// a UTF-8 byte-order mark is dropped from the first line only, and a line that does not fit the scanner's 64 KiB
/// buffer is an error.
/// </summary>
internal ref struct PhysicalLineReader
{
    /// <summary>BuildKit's buffer: a line of up to this many bytes, its newline included, is accepted.</summary>
    public const int MaxLineBytes = 64 * 1024;

    private readonly ReadOnlySpan<byte> _content;
    private readonly string _fileName;
    private int _position;

    public PhysicalLineReader(ReadOnlySpan<byte> content, string fileName)
    {
        _content = content;
        _fileName = fileName;
    }

    /// <summary>The number of the last line read, counted from 1 (0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next line, line ending included; false at the end of the input.</summary>
    public bool TryRead(out string line)
    {
        if (_position >= _content.Length)
        {
            line = "";
            return false;
        }

        var remaining = _content[_position..];
        var newline = remaining.IndexOf((byte)'\n');
        var length = newline >= 0 ? newline + 1 : remaining.Length;

        // A last line with no newline must leave room in the buffer for the scanner to see the end of input.
        var tooLong = newline >= 0 ? length > MaxLineBytes : length >= MaxLineBytes;
        if (tooLong)
        {
            throw new DockerfileSyntaxException(DiagnosticCodes.DockerfileLineTooLong,
                string.Format(CultureInfo.InvariantCulture, Strings.DockerfileLineTooLong, MaxLineBytes),
                SourceRange.Line(_fileName, LineNumber + 1));
        }

        var bytes = remaining[..length];
        if (LineNumber == 0 && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        _position += length;
        LineNumber++;
        line = GoText.DecodeUtf8(bytes);
        return true;
    }
}
