using Kaniko.Engine.Diagnostics;
using Kaniko.Engine;

namespace Kaniko.Cli.Contexts;

/// <summary>What the three bucket stores share when they turn a client's failure into a <see cref="RemoteContextErrors"/> error.</summary>
internal static class BucketContextErrors
{
    /// <summary>KANIKO2053 with the network failure's message (<see cref="Reason"/>).</summary>
    internal static KanikoException Unreachable(string contextArgument, Exception cause) =>
        RemoteContextErrors.Unreachable(contextArgument, Reason(cause), cause);

    /// <summary>
    /// The network failure's own words: the HTTP layer's message (such as "Connection refused (127.0.0.1:9)", which
    /// names the endpoint) unless it only points further in (TLS failures), else the innermost one. Neither layer puts a credential in its messages, unlike some client
    /// exceptions that echo the request, so those are skipped.
    /// </summary>
    internal static string Reason(Exception cause)
    {
        var innermost = cause;
        for (var current = cause; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException && !current.Message.Contains("inner exception", StringComparison.Ordinal))
            {
                return current.Message.TrimEnd('.');
            }

            innermost = current;
        }

        return innermost.Message.TrimEnd('.');
    }

    /// <summary>Whether <paramref name="exception"/> comes from the network (refused, reset, name unknown, TLS).</summary>
    internal static bool IsNetworkFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
