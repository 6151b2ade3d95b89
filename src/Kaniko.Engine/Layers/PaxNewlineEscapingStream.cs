using System.Buffers.Text;
using System.Formats.Tar;

namespace Kaniko.Engine.Layers;

/// <summary>
/// Lets <see cref="TarReader"/> read PAX records whose values hold a newline (a file named <c>a\nb</c>, a link to
/// such a name). A PAX record is length-prefixed, so a newline inside its value is valid (Go's archive/tar, GNU tar
/// and BuildKit write and read it), but .NET's reader splits records at every newline and throws "The extended header
/// contains invalid records". This read-through filter follows the tar's block structure and, inside PAX extended
/// headers only, turns each newline that is not a record's terminator into a NUL byte (same length, so sizes and
/// records stay valid); <see cref="RestoreNames"/> turns them back after the reader has parsed the entry. A NUL can
/// never be part of a path, so the placeholder is unambiguous for names. Data blocks pass untouched.
/// </summary>
internal sealed class PaxNewlineEscapingStream(Stream inner, bool leaveOpen = false) : TarBlockStream(inner, leaveOpen)
{
    private const int RecordHeadSize = 32;

    private readonly byte[] _recordHead = new byte[RecordHeadSize];
    private long _recordLength = -1;
    private long _recordPosition;
    private long _pendingLength;
    private int _headFill;
    private bool _broken;
    private bool _global;

    /// <summary>A reader of <paramref name="tar"/> through this filter; <paramref name="tar"/> stays open.</summary>
    public static TarReader OpenReader(Stream tar) => new(new PaxNewlineEscapingStream(tar, leaveOpen: true));

    /// <summary>The next entry of a reader made by <see cref="OpenReader"/> (its data not copied), its names restored.</summary>
    public static async ValueTask<TarEntry?> NextEntryAsync(TarReader reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        if (entry is not null)
        {
            RestoreNames(entry);
        }

        return entry;
    }

    /// <summary>Puts back the newlines of <paramref name="entry"/>'s name and link target that the stream escaped.</summary>
    public static void RestoreNames(TarEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Name.Contains('\0', StringComparison.Ordinal))
        {
            entry.Name = entry.Name.Replace('\0', '\n');
        }

        if (entry.LinkName.Contains('\0', StringComparison.Ordinal))
        {
            entry.LinkName = entry.LinkName.Replace('\0', '\n');
        }
    }

    /// <inheritdoc />
    protected override bool BeginExtendedHeader(char type, long size)
    {
        _recordLength = -1;
        _recordPosition = 0;
        _pendingLength = 0;
        _broken = false;
        _global = type == 'g';
        return true;
    }

    // Walks "<length> <key>=<value>\n" records byte by byte (they may span reads), in place.
    /// <inheritdoc />
    protected override void OnExtendedHeaderData(Span<byte> data)
    {
        for (var i = 0; i < data.Length && !_broken; i++)
        {
            var b = data[i];
            if (_recordLength < 0)
            {
                if (b is >= (byte)'0' and <= (byte)'9' && _recordPosition < 12)
                {
                    _recordPosition++;
                    _pendingLength = (_pendingLength * 10) + (b - '0');
                    continue;
                }

                if (b == (byte)' ' && _pendingLength > _recordPosition + 1)
                {
                    _recordLength = _pendingLength;
                    _recordPosition++;
                    _headFill = 0;
                    continue;
                }

                // Not a record: leave the rest as it is, the reader reports the damage.
                _broken = true;
                break;
            }

            _recordPosition++;
            if (_recordPosition == _recordLength)
            {
                OnRecordEnd();
                continue;
            }

            if (_headFill < RecordHeadSize)
            {
                _recordHead[_headFill++] = b;
            }

            if (b == (byte)'\n')
            {
                data[i] = 0;
            }
        }
    }

    private void OnRecordEnd()
    {
        var head = _recordHead.AsSpan(0, _headFill);
        if (!_global && head.StartsWith("size="u8) && Utf8Parser.TryParse(head[5..], out long size, out var consumed) && consumed == head.Length - 5)
        {
            SetNextEntrySize(size);
        }

        _recordLength = -1;
        _recordPosition = 0;
        _pendingLength = 0;
        _headFill = 0;
    }
}
