using System.Globalization;
using System.Net;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution;

/// <summary>
/// Reads <c>EXPOSE</c> words as BuildKit's <c>parsePorts</c> does: <c>[ip:][hostPort:]port[-end][/proto]</c> becomes one
/// <c>port/proto</c> per port of the range, the protocol lower-cased and <c>tcp</c> by default. The IP and host port
/// are checked and then dropped (BuildKit only warns about them).
/// </summary>
internal static class ExposedPorts
{
    /// <summary>The ports each word stands for, in order; throws <see cref="KanikoException"/> for an invalid word.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> words, SourceRange? range)
    {
        var ports = new List<string>();
        foreach (var word in words)
        {
            ports.AddRange(ParseOne(word, range));
        }

        return ports;
    }

    private static IEnumerable<string> ParseOne(string raw, SourceRange? range)
    {
        var (ip, hostPort, containerPort) = SplitParts(raw);
        var slash = containerPort.IndexOf('/', StringComparison.Ordinal);
        var port = slash < 0 ? containerPort : containerPort[..slash];
        var proto = slash < 0 ? "" : containerPort[(slash + 1)..];
        if (port.Length == 0)
        {
            throw Error(range, Strings.ExposeNoPort, raw);
        }

        proto = proto.ToLowerInvariant() switch
        {
            "" => "tcp",
            "tcp" or "udp" or "sctp" => proto.ToLowerInvariant(),
            _ => throw Error(range, Strings.ExposeInvalidProtocol, raw, proto),
        };

        if (ip.Length > 0 && ip[0] == '[')
        {
            // Brackets of an IPv6 address, as net.SplitHostPort(ip + ":") removes them.
            var close = ip.IndexOf(']', StringComparison.Ordinal);
            ip = close == ip.Length - 1 ? ip[1..close] : throw Error(range, Strings.ExposeInvalidAddress, ip);
        }

        if (ip.Length > 0 && !IsGoIp(ip))
        {
            throw Error(range, Strings.ExposeInvalidAddress, ip);
        }

        if (!TryParseRange(port, out var start, out var end))
        {
            throw Error(range, Strings.ExposeInvalidContainerPort, port);
        }

        if (hostPort.Length > 0)
        {
            if (!TryParseRange(hostPort, out var hostStart, out var hostEnd))
            {
                throw Error(range, Strings.ExposeInvalidHostPort, hostPort);
            }

            // A host range may differ only when the container port is a single port (a range to allocate from).
            if (end - start != hostEnd - hostStart && end != start)
            {
                throw Error(range, Strings.ExposeMismatchedRanges, port, hostPort);
            }
        }

        for (var p = start; p <= end; p++)
        {
            yield return p.ToString(CultureInfo.InvariantCulture) + "/" + proto;
        }
    }

    // net.ParseIP: four decimal bytes without leading zeros, or an IPv6 address (which .NET's parser checks).
    private static bool IsGoIp(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                && !text.Contains('%', StringComparison.Ordinal);
        }

        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit)
            && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }

    private static (string Ip, string HostPort, string ContainerPort) SplitParts(string raw)
    {
        var parts = raw.Split(':');
        return parts.Length switch
        {
            1 => ("", "", parts[0]),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => (string.Join(':', parts[..^2]), parts[^2], parts[^1]),
        };
    }

    private static bool TryParseRange(string text, out int start, out int end)
    {
        start = end = 0;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var first = dash < 0 ? text : text[..dash];
        if (!TryParsePort(first, out start))
        {
            return false;
        }

        var last = dash < 0 ? null : text[(dash + 1)..];
        if (last is null || last == first)
        {
            end = start;
            return true;
        }

        return TryParsePort(last, out end) && end >= start;
    }

    // strconv.ParseInt(s, 10, 0): an optional sign, then decimal digits; 0..65535 accepted.
    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        var digits = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value is < 0 or > 65535)
        {
            return false;
        }

        port = (int)value;
        return true;
    }

    private static KanikoException Error(SourceRange? range, string format, params object[] values) =>
        new(DiagnosticCodes.InvalidExposedPort, string.Format(CultureInfo.InvariantCulture, format, values), range);
}
