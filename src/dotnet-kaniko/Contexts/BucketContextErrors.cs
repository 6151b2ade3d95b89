using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Contexts;

/// <summary>What the three bucket stores share when they turn a client's failure into a <see cref="RemoteContextErrors"/> error.</summary>
internal static class BucketContextErrors
{
    /// <summary>KANIKO2053 with the innermost network message.</summary>
    internal static KanikoException Unreachable(string contextArgument, Exception cause) =>
        RemoteContextErrors.Unreachable(contextArgument, Reason(cause), cause);

    /// <summary>
    /// The innermost message of a network failure (such as "Connection refused (127.0.0.1:9)"): the socket and HTTP
    /// layers never put a credential in theirs, unlike some client exceptions that echo the request.
    /// </summary>
    internal static string Reason(Exception cause)
    {
        var innermost = cause;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
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
