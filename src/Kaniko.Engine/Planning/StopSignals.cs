using System.Globalization;

namespace Kaniko.Engine.Planning;

/// <summary>Checks a <c>STOPSIGNAL</c> value the way moby's <c>signal.ParseSignal</c> does on Linux.</summary>
internal static class StopSignals
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL", "PIPE", "POLL",
        "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1",
        "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
    };

    /// <summary>A number other than 0, or a signal name with or without <c>SIG</c> (any case), or <c>RTMIN+n</c>/<c>RTMAX-n</c>.</summary>
    internal static bool IsValid(string signal)
    {
        if (int.TryParse(signal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number != 0;
        }

        var name = signal.ToUpperInvariant();
        name = name.StartsWith("SIG", StringComparison.Ordinal) ? name[3..] : name;
        if (Names.Contains(name))
        {
            return true;
        }

        return (name.StartsWith("RTMIN+", StringComparison.Ordinal) || name.StartsWith("RTMAX-", StringComparison.Ordinal))
            && int.TryParse(name[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset is >= 1 and <= 15;
    }
}
