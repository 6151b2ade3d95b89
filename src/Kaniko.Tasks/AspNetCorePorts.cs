using System.Globalization;
using System.Text.RegularExpressions;

namespace Kaniko.Tasks;

/// <summary>
/// The ports an ASP.NET Core app listens on according to its environment, which the .NET SDK exposes in the images
/// it makes (besides <c>ContainerPort</c>) so tools can map them: every port of <c>ASPNETCORE_HTTP_PORTS</c> and
/// <c>ASPNETCORE_HTTPS_PORTS</c> (<c>;</c>-separated numbers) and of <c>ASPNETCORE_URLS</c> (<c>scheme://host:port</c>
/// entries), all TCP. Microsoft's images set <c>ASPNETCORE_HTTP_PORTS=8080</c>.
/// </summary>
internal static partial class AspNetCorePorts
{
    /// <summary>The ports, <c>8080/tcp</c> form, in the order found, each once.</summary>
    internal static IReadOnlyList<string> FromEnvironment(IReadOnlyDictionary<string, string> environment)
    {
        var ports = new List<string>();
        foreach (var name in new[] { "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            foreach (var entry in Entries(environment, name))
            {
                Add(ports, entry);
            }
        }

        foreach (var url in Entries(environment, "ASPNETCORE_URLS"))
        {
            // The last ":digits" after the scheme, so IPv6 hosts ([::1]:5000) and paths after the port read right.
            if (UrlPort().Match(url) is { Success: true } match)
            {
                Add(ports, match.Groups["port"].Value);
            }
        }

        return ports;
    }

    /// <summary>Reads <c>NAME=VALUE</c> lines (an image config's <c>Env</c>) into a dictionary; later entries win.</summary>
    internal static Dictionary<string, string> Parse(IEnumerable<string> variables)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in variables)
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                environment[variable[..equals]] = variable[(equals + 1)..];
            }
        }

        return environment;
    }

    private static IEnumerable<string> Entries(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var value) ? value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    private static void Add(List<string> ports, string number)
    {
        if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            && string.Create(CultureInfo.InvariantCulture, $"{port}/tcp") is var text && !ports.Contains(text))
        {
            ports.Add(text);
        }
    }

    [GeneratedRegex(@"^\w+://.+:(?<port>\d+)")]
    private static partial Regex UrlPort();
}
