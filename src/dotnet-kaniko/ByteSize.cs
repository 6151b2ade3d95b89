using System.Globalization;

namespace Kaniko.Cli;

/// <summary>
/// Sizes as <c>docker builder prune --keep-storage</c> reads them: a number of bytes, or with a <c>K</c>, <c>M</c>,
/// <c>G</c> or <c>T</c> suffix in 1024s (a trailing <c>B</c> allowed): <c>--keep-storage</c>, <c>--layer-store-size</c>.
/// </summary>
internal static class ByteSize
{
    /// <summary>Reads <paramref name="text"/> as a size; four cases need no library.</summary>
    internal static bool TryParse(string text, out long bytes)
    {
        var trimmed = text.Trim().TrimEnd('B', 'b');
        long unit = 1;
        if (trimmed.Length > 0 && char.ToUpperInvariant(trimmed[^1]) is 'K' or 'M' or 'G' or 'T')
        {
            unit = char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1L << 40 };
            trimmed = trimmed[..^1];
        }

        bytes = 0;
        if (!decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * unit > long.MaxValue)
        {
            return false;
        }

        bytes = (long)(value * unit);
        return true;
    }
}
