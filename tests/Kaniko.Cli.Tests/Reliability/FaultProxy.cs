using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>What <see cref="FaultProxy"/> does with a request it forwards.</summary>
internal enum ProxyFault
{
    /// <summary>Forward it and its answer.</summary>
    None,

    /// <summary>Close both connections with a TCP reset.</summary>
    Reset,

    /// <summary>Stop reading from the client (a registry that stops taking an upload: the client's window closes).</summary>
    StallRequest,

    /// <summary>Forward the first 256 KiB of the answer, then send nothing more and keep the connection open.</summary>
    StallResponse,
}

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real registry that injects what a real registry does not do on demand: a
/// reset, a stalled upload or download. It reads the request lines that pass through and asks the test's rule what
/// to do with each; everything else is forwarded untouched.
/// </summary>
internal sealed partial class FaultProxy : IAsyncDisposable
{
    // More than the cache's 64 KiB write buffer, so a stalled download has written part of its blob to disk.
    private const int ResponseBytesBeforeStall = 256 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly Func<string, string, ProxyFault> _rule;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _faults;

    /// <summary>Forwards to 127.0.0.1:<paramref name="targetPort"/>; <paramref name="rule"/> gets each request's method and target.</summary>
    public FaultProxy(int targetPort, Func<string, string, ProxyFault> rule)
    {
        _targetPort = targetPort;
        _rule = rule;
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary><c>127.0.0.1:PORT</c>, the registry name to use through the proxy.</summary>
    public string Host => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many faults were injected.</summary>
    public int Faults => Volatile.Read(ref _faults);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    [GeneratedRegex(@"(GET|HEAD|PUT|POST|PATCH|DELETE) (/v2/\S*) HTTP/1\.1\r\n")]
    private static partial Regex RequestLine();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            lock (_sockets)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }

            _ = Task.Run(() => ServeAsync(client, server));
        }
    }

    private async Task ServeAsync(Socket client, Socket server)
    {
        var answers = new AnswerBudget();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var pumping = PumpAnswersAsync(server, client, answers);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var read = await client.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    server.Shutdown(SocketShutdown.Send);
                    break;
                }

                var fault = Decide(Encoding.Latin1.GetString(buffer, 0, read));
                if (fault == ProxyFault.Reset)
                {
                    client.LingerState = new LingerOption(true, 0);
                    client.Close();
                    server.Close();
                    return;
                }

                if (fault == ProxyFault.StallResponse)
                {
                    Interlocked.Exchange(ref answers.Limit, Interlocked.Read(ref answers.Forwarded) + ResponseBytesBeforeStall);
                }

                await server.SendAsync(buffer.AsMemory(0, read), _stop.Token);
                if (fault == ProxyFault.StallRequest)
                {
                    // Read nothing more: the client's sends fill the socket buffers, then block.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
            }

            await pumping;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side went away, or the proxy stops.
        }
    }

    private ProxyFault Decide(string chunk)
    {
        var decided = ProxyFault.None;
        foreach (Match match in RequestLine().Matches(chunk))
        {
            var fault = _rule(match.Groups[1].Value, match.Groups[2].Value);
            if (fault != ProxyFault.None)
            {
                Interlocked.Increment(ref _faults);
                decided = fault;
            }
        }

        return decided;
    }

    private async Task PumpAnswersAsync(Socket server, Socket client, AnswerBudget budget)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await server.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                client.Shutdown(SocketShutdown.Send);
                return;
            }

            var forwarded = Interlocked.Read(ref budget.Forwarded);
            var allowed = (int)Math.Max(0, Math.Min(read, Interlocked.Read(ref budget.Limit) - forwarded));
            if (allowed > 0)
            {
                await client.SendAsync(buffer.AsMemory(0, allowed), _stop.Token);
                Interlocked.Add(ref budget.Forwarded, allowed);
            }

            if (allowed < read)
            {
                // Stalled: hold the connection open, send nothing.
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
        }
    }

    /// <summary>How many answer bytes one connection forwarded, and how many it may forward before it stalls.</summary>
    private sealed class AnswerBudget
    {
        public long Forwarded;
        public long Limit = long.MaxValue;
    }
}
