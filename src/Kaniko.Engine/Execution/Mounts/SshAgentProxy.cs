using System.Buffers.Binary;
using System.Net.Sockets;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// A socket a <c>RUN --mount=type=ssh</c> step talks to instead of the machine's agent: it forwards the requests that
/// list keys and sign with them and refuses the rest (adding, removing, locking, extensions) as BuildKit's read-only
/// agent does, so a step can use the keys but never change the agent. The socket file gets the mount's owner and
/// mode; it runs inside this process (no program is started) until disposed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SshAgentProxy : IDisposable
{
    // SSH_AGENTC_REQUEST_IDENTITIES, SSH_AGENTC_SIGN_REQUEST, SSH_AGENTC_UNLOCK: what BuildKit's read-only agent lets through.
    private static readonly byte[] AllowedRequests = [11, 13, 23];

    // SSH_AGENT_FAILURE, framed.
    private static readonly byte[] Failure = [0, 0, 0, 1, 5];

    // OpenSSH's own bound on an agent message.
    private const int MaxMessage = 256 * 1024;

    private readonly string _agentSocket;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private SshAgentProxy(string agentSocket, string socketPath, Socket listener)
    {
        _agentSocket = agentSocket;
        SocketPath = socketPath;
        _listener = listener;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The proxy's socket on this machine (bound into the step at the mount's target).</summary>
    public string SocketPath { get; }

    /// <summary>Listens at <paramref name="socketPath"/> (a new path) and forwards to <paramref name="agentSocket"/>.</summary>
    public static SshAgentProxy Start(string agentSocket, string socketPath, CopyOwner owner, UnixFileMode mode)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.SetUnixFileMode(socketPath, mode);
            if (LibC.EffectiveUserId == 0 && LibC.ChangeOwner(socketPath, (uint)owner.Uid, (uint)owner.Gid) is var errno and not 0)
            {
                throw new IOException("cannot change the owner of the agent socket: " + LibC.Describe(errno));
            }

            listener.Listen(16);
            return new SshAgentProxy(agentSocket, socketPath, listener);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening, ends open connections and removes the socket file.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                using var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await agent.ConnectAsync(new UnixDomainSocketEndPoint(_agentSocket), _stop.Token).ConfigureAwait(false);
                await using var fromClient = new NetworkStream(client, ownsSocket: false);
                await using var toAgent = new NetworkStream(agent, ownsSocket: false);
                while (await ReadMessageAsync(fromClient, _stop.Token).ConfigureAwait(false) is { } request)
                {
                    if (request.Length < 5 || Array.IndexOf(AllowedRequests, request[4]) < 0)
                    {
                        await fromClient.WriteAsync(Failure, _stop.Token).ConfigureAwait(false);
                        continue;
                    }

                    await toAgent.WriteAsync(request, _stop.Token).ConfigureAwait(false);
                    var reply = await ReadMessageAsync(toAgent, _stop.Token).ConfigureAwait(false);
                    if (reply is null)
                    {
                        return;
                    }

                    await fromClient.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The step or the agent closed the connection, or the step ended: nothing to report.
            }
        }
    }

    // One framed message (length prefix included), or null at the end of the stream or for an oversized frame.
    private static async Task<byte[]?> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0 || length > MaxMessage)
        {
            return null;
        }

        var message = new byte[4 + length];
        header.CopyTo(message, 0);
        return await ReadExactlyOrEndAsync(stream, message.AsMemory(4), cancellationToken).ConfigureAwait(false) ? message : null;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
