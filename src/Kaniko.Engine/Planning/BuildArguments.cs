using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Planning;

/// <summary>Reads <c>--build-arg</c> values and knows the arguments every build predefines.</summary>
internal static class BuildArguments
{
    /// <summary>
    /// The proxy arguments: usable in <c>RUN</c> without an <c>ARG</c>, never reported as unused, and kept out of the
    /// image history because they often hold credentials.
    /// </summary>
    public static IReadOnlySet<string> ProxyNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
        "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };

    /// <summary>The automatic platform arguments, in the order BuildKit defines them, plus <c>TARGETSTAGE</c>.</summary>
    public static IReadOnlyList<string> AutomaticNames { get; } =
    [
        "BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
        "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
    ];

    /// <summary>
    /// Resolves <c>--build-arg</c> values: <c>NAME=VALUE</c> as given; <c>NAME</c> alone takes the value of the
    /// environment variable NAME from <paramref name="environment"/>, and is left out (unset) when there is none.
    /// Later values override earlier ones; a bare <c>NAME</c> missing from the environment keeps an earlier value.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(IEnumerable<string> specs, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(environment);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var spec in specs)
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? spec : spec[..equals];
            if (name.Length == 0)
            {
                throw new KanikoException(DiagnosticCodes.InvalidBuildArgument,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidBuildArgument, spec));
            }

            var value = equals < 0 ? environment(name) : spec[(equals + 1)..];
            if (value is null)
            {
                continue;
            }

            result.RemoveAll(kv => kv.Key == name);
            result.Add(new KeyValuePair<string, string>(name, value));
        }

        return result;
    }
}
