using System.Buffers.Text;
using System.Text;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Passes a tar stream through unchanged while following its headers, to keep the raw bytes of
/// <c>SCHILY.xattr.*</c> PAX records: <see cref="System.Formats.Tar.TarReader"/> decodes PAX values as UTF-8, which
/// destroys binary values such as <c>security.capability</c>. After the reader returns an entry,
/// <see cref="LastEntryAttributes"/> holds the raw values of that entry's records (the reader has read its header,
/// not its data). The caller checks each raw value against the reader's decoded one before using it, so a stream
/// this simple parser misreads only costs the binary values, never correctness.
/// </summary>
internal sealed class PaxXattrSniffer(Stream inner) : Stream
{
    private const int BlockSize = 512;
    private const int MaxPaxSize = 1024 * 1024;
    private const string XattrPrefix = "SCHILY.xattr.";

    private readonly byte[] header = new byte[BlockSize];
    private int headerFill;
    private long skip;
    private MemoryStream? pax;
    private long paxRemaining;
    private Dictionary<string, byte[]>? pending;
    private long? pendingSize;

    /// <summary>The raw <c>SCHILY.xattr.*</c> values of the last entry whose header went through, by attribute name.</summary>
    public IReadOnlyDictionary<string, byte[]>? LastEntryAttributes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (pax is not null)
            {
                var take = (int)Math.Min(paxRemaining, data.Length);
                pax.Write(data[..take]);
                paxRemaining -= take;
                data = data[take..];
                if (paxRemaining == 0)
                {
                    ParsePax(pax.ToArray());
                    pax = null;
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
        var padded = (size + BlockSize - 1) / BlockSize * BlockSize;
        switch (type)
        {
            case 'x' when size <= MaxPaxSize:
                pax = new MemoryStream((int)size);
                paxRemaining = size;
                skip = padded - size;
                if (size == 0)
                {
                    pax = null;
                }

                break;
            case 'x' or 'g' or 'L' or 'K':
                skip = padded;
                break;
            default:
                LastEntryAttributes = pending;
                pending = null;
                var dataSize = pendingSize ?? size;
                pendingSize = null;
                // Links, directories, devices and FIFOs carry no data, whatever their size field says.
                skip = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : (dataSize + BlockSize - 1) / BlockSize * BlockSize;
                break;
        }
    }

    private void ParsePax(byte[] records)
    {
        var rest = records.AsSpan();
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(rest[..space], out int length, out _) || length <= space || length > rest.Length)
            {
                return;
            }

            var record = rest[(space + 1)..(length - 1)]; // without the length and the final newline
            rest = rest[length..];
            var equals = record.IndexOf((byte)'=');
            if (equals < 0)
            {
                continue;
            }

            var key = Encoding.UTF8.GetString(record[..equals]);
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (pending ??= new(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = record[(equals + 1)..].ToArray();
            }
            else if (key == "size" && Utf8Parser.TryParse(record[(equals + 1)..], out long size, out _))
            {
                pendingSize = size;
            }
        }
    }
}
