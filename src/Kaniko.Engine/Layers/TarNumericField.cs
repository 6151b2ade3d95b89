namespace Kaniko.Engine.Layers;

/// <summary>Reads the numeric fields of a raw tar header (size, mode, ids, times) for code that scans tar blocks itself.</summary>
internal static class TarNumericField
{
    /// <summary>
    /// The value of a numeric header field: octal digits (ended by NUL or space), or, when the first byte's high bit is
    /// set, GNU/star base-256 (big-endian binary after the marker bit), which tar uses for sizes over 8 GiB.
    /// </summary>
    internal static long Parse(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long value = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                value = (value << 8) | b;
            }

            return value;
        }

        long octal = 0;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                octal = (octal * 8) + (b - '0');
            }
            else if (b is 0 or (byte)' ' && octal > 0)
            {
                break;
            }
        }

        return octal;
    }
}
