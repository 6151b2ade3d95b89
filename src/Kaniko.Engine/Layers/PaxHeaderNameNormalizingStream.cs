using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// Makes the tar that <see cref="System.Formats.Tar.TarWriter"/> writes reproducible across processes. POSIX leaves
/// the name of a PAX extended header free, and .NET (like GNU tar) fills it with <c>PaxHeaders.&lt;process id&gt;</c>,
/// so two runs over the same entries would hash differently. This write-through filter follows the tar's block
/// structure (headers, then their data) and rewrites that name to <c>PaxHeaders.0</c>, as Go's archive/tar (and
/// so kaniko and go-containerregistry) write it, fixing the header checksum. Data blocks pass untouched.
/// </summary>
internal sealed partial class PaxHeaderNameNormalizingStream(Stream inner) : ForwardWriteStream
{
    private const int BlockSize = 512;
    private const int MaxExtendedHeaderCapture = 1 << 20;

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFilled;
    private long _dataRemaining;
    private long _extendedDataSize = -1;
    private MemoryStream? _extendedData;
    private long? _sizeOverride;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_dataRemaining > 0)
            {
                var chunk = buffer[..(int)Math.Min(buffer.Length, _dataRemaining)];
                CaptureExtendedData(chunk);
                inner.Write(chunk);
                _dataRemaining -= chunk.Length;
                buffer = buffer[chunk.Length..];
                if (_dataRemaining == 0)
                {
                    FinishExtendedData();
                }

                continue;
            }

            var take = Math.Min(buffer.Length, BlockSize - _headerFilled);
            buffer[..take].CopyTo(_header.AsSpan(_headerFilled));
            _headerFilled += take;
            buffer = buffer[take..];
            if (_headerFilled == BlockSize)
            {
                ProcessHeader();
                inner.Write(_header);
                _headerFilled = 0;
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The header logic is synchronous; hand the inner stream whole pieces asynchronously where they are large.
        if (_dataRemaining >= buffer.Length && _extendedData is null)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            _dataRemaining -= buffer.Length;
            if (_dataRemaining == 0)
            {
                FinishExtendedData();
            }

            return;
        }

        Write(buffer.Span);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _extendedData?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static long Padded(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;

    private void ProcessHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return; // end-of-archive block
        }

        var type = (char)_header[156];
        var size = _sizeOverride ?? TarNumericField.Parse(_header.AsSpan(124, 12));
        _sizeOverride = null;
        if (type == 'x')
        {
            var renamed = RenameField(0, 100) | RenameField(345, 155);
            if (renamed)
            {
                WriteChecksum();
            }

            _extendedDataSize = size;
            _extendedData = size <= MaxExtendedHeaderCapture ? new MemoryStream((int)size) : null;
        }

        _dataRemaining = Padded(size);
        if (_dataRemaining == 0)
        {
            FinishExtendedData();
        }
    }

    private bool RenameField(int offset, int length)
    {
        var field = _header.AsSpan(offset, length);
        var end = field.IndexOf((byte)0);
        var text = Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
        var normalized = ProcessIdName().Replace(text, "PaxHeaders.0");
        if (normalized == text)
        {
            return false;
        }

        field.Clear();
        Encoding.UTF8.GetBytes(normalized, field);
        return true;
    }

    private void WriteChecksum()
    {
        _header.AsSpan(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in _header)
        {
            sum += b;
        }

        var digits = Convert.ToString(sum, 8).PadLeft(6, '0');
        Encoding.ASCII.GetBytes(digits, _header.AsSpan(148, 6));
        _header[154] = 0;
        _header[155] = (byte)' ';
    }

    private void CaptureExtendedData(ReadOnlySpan<byte> chunk)
    {
        if (_extendedData is not null && _extendedData.Length < _extendedDataSize)
        {
            _extendedData.Write(chunk[..(int)Math.Min(chunk.Length, _extendedDataSize - _extendedData.Length)]);
        }
    }

    // A PAX "size" record overrides the size field of the next header (files of 8 GiB and more).
    private void FinishExtendedData()
    {
        if (_extendedData is null)
        {
            return;
        }

        var records = Encoding.UTF8.GetString(_extendedData.GetBuffer(), 0, (int)_extendedData.Length);
        _extendedData.Dispose();
        _extendedData = null;
        foreach (var record in records.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = record.IndexOf(' ', StringComparison.Ordinal);
            var pair = space < 0 ? record : record[(space + 1)..];
            if (pair.StartsWith("size=", StringComparison.Ordinal)
                && long.TryParse(pair.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                _sizeOverride = size;
            }
        }
    }

    [GeneratedRegex(@"PaxHeaders\.\d+", RegexOptions.CultureInvariant)]
    private static partial Regex ProcessIdName();
}
