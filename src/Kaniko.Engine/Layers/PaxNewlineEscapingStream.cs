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

    private readonly byte[] recordHead = new byte[RecordHeadSize];
    private long recordLength = -1;
    private long recordPosition;
    private long pendingLength;
    private int headFill;
    private bool broken;
    private bool global;

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
        recordLength = -1;
        recordPosition = 0;
        pendingLength = 0;
        broken = false;
        global = type == 'g';
        return true;
    }

    // Walks "<length> <key>=<value>\n" records byte by byte (they may span reads), in place.
    /// <inheritdoc />
    protected override void OnExtendedHeaderData(Span<byte> data)
    {
        for (var i = 0; i < data.Length && !broken; i++)
        {
            var b = data[i];
            if (recordLength < 0)
            {
                if (b is >= (byte)'0' and <= (byte)'9' && recordPosition < 12)
                {
                    recordPosition++;
                    pendingLength = (pendingLength * 10) + (b - '0');
                    continue;
                }

                if (b == (byte)' ' && pendingLength > recordPosition + 1)
                {
                    recordLength = pendingLength;
                    recordPosition++;
                    headFill = 0;
                    continue;
                }

                // Not a record: leave the rest as it is, the reader reports the damage.
                broken = true;
                break;
            }

            recordPosition++;
            if (recordPosition == recordLength)
            {
                OnRecordEnd();
                continue;
            }

            if (headFill < RecordHeadSize)
            {
                recordHead[headFill++] = b;
            }

            if (b == (byte)'\n')
            {
                data[i] = 0;
            }
        }
    }

    private void OnRecordEnd()
    {
        var head = recordHead.AsSpan(0, headFill);
        if (!global && head.StartsWith("size="u8) && Utf8Parser.TryParse(head[5..], out long size, out var consumed) && consumed == head.Length - 5)
        {
            SetNextEntrySize(size);
        }

        recordLength = -1;
        recordPosition = 0;
        pendingLength = 0;
        headFill = 0;
    }
}
