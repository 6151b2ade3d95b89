using System.Buffers.Text;
using System.Formats.Tar;
using Kaniko.Engine.Oci;

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
public sealed class PaxNewlineEscapingStream(Stream inner, bool leaveOpen = false) : ForwardReadStream
{
    private const int BlockSize = 512;
    private const int RecordHeadSize = 32;

    private readonly byte[] header = new byte[BlockSize];
    private readonly byte[] recordHead = new byte[RecordHeadSize];
    private int headerFill;
    private long skip;
    private long paxRemaining;
    private long paxPadding;
    private long recordLength = -1;
    private long recordPosition;
    private long pendingLength;
    private int headFill;
    private bool paxBroken;
    private long? pendingSize;

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
    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Transform(buffer[..read]);
        return read;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Transform(buffer.Span[..read]);
        return read;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Transform(Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (paxRemaining > 0)
            {
                var take = (int)Math.Min(paxRemaining, data.Length);
                EscapeRecords(data[..take]);
                paxRemaining -= take;
                data = data[take..];
                if (paxRemaining == 0)
                {
                    skip = paxPadding;
                }

                continue;
            }

            if (skip > 0)
            {
                var take = (int)Math.Min(skip, data.Length);
                skip -= take;
                data = data[take..];
                continue;
            }

            var copy = Math.Min(BlockSize - headerFill, data.Length);
            data[..copy].CopyTo(header.AsSpan(headerFill));
            headerFill += copy;
            data = data[copy..];
            if (headerFill == BlockSize)
            {
                headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return;
        }

        var type = (char)header[156];
        var size = TarNumericField.Parse(header.AsSpan(124, 12));
        if (type is 'x' or 'g')
        {
            paxRemaining = size;
            paxPadding = Padded(size) - size;
            recordLength = -1;
            recordPosition = 0;
            pendingLength = 0;
            paxBroken = false;
            skip = size == 0 ? paxPadding : 0;
            return;
        }

        var dataSize = pendingSize ?? size;
        pendingSize = null;
        // Links, directories, devices and FIFOs carry no data, whatever their size field says.
        skip = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : Padded(dataSize);
    }

    // Walks "<length> <key>=<value>\n" records byte by byte (they may span reads), in place.
    private void EscapeRecords(Span<byte> data)
    {
        for (var i = 0; i < data.Length && !paxBroken; i++)
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
                paxBroken = true;
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

    // A "size" record overrides the next entry's size field (files of 8 GiB and more): its data must be skipped.
    private void OnRecordEnd()
    {
        var head = recordHead.AsSpan(0, headFill);
        if (head.StartsWith("size="u8) && Utf8Parser.TryParse(head[5..], out long size, out var consumed) && consumed == head.Length - 5)
        {
            pendingSize = size;
        }

        recordLength = -1;
        recordPosition = 0;
        pendingLength = 0;
        headFill = 0;
    }

    private static long Padded(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;
}
