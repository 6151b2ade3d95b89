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
internal sealed class PaxXattrSniffer(Stream inner) : TarBlockStream(inner, leaveOpen: true)
{
    private const int MaxPaxSize = 1024 * 1024;
    private const string XattrPrefix = "SCHILY.xattr.";

    private MemoryStream? _pax;
    private Dictionary<string, byte[]>? _pending;

    /// <summary>The raw <c>SCHILY.xattr.*</c> values of the last entry whose header went through, by attribute name.</summary>
    public IReadOnlyDictionary<string, byte[]>? LastEntryAttributes { get; private set; }

    /// <inheritdoc />
    protected override bool BeginExtendedHeader(char type, long size)
    {
        _pax = type == 'x' && size <= MaxPaxSize ? new MemoryStream((int)size) : null;
        return _pax is not null;
    }

    /// <inheritdoc />
    protected override void OnExtendedHeaderData(Span<byte> data) => _pax?.Write(data);

    /// <inheritdoc />
    protected override void EndExtendedHeader()
    {
        if (_pax is not null)
        {
            ParsePax(_pax.ToArray());
            _pax = null;
        }
    }

    /// <inheritdoc />
    protected override void OnEntryHeader()
    {
        LastEntryAttributes = _pending;
        _pending = null;
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
                (_pending ??= new(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = record[(equals + 1)..].ToArray();
            }
            else if (key == "size" && Utf8Parser.TryParse(record[(equals + 1)..], out long size, out _))
            {
                SetNextEntrySize(size);
            }
        }
    }
}
