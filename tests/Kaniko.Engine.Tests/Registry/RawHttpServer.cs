using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>A request as the raw server read it.</summary>
internal sealed record ServerRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the raw server does with a request.</summary>
internal abstract record ServerAction;

/// <summary>An HTTP answer; <paramref name="DeclaredLength"/> lets a test announce more bytes than it sends.</summary>
internal sealed record Respond(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, long? DeclaredLength = null) : ServerAction
{
    public static Respond Json(int status, string json, params (string Name, string Value)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json), headers.Append((Name: "Content-Type", Value: "application/json")).ToDictionary(h => h.Name, h => h.Value));

    public static Respond Error(int status, string code, string message, params (string Name, string Value)[] headers) =>
        Json(status, $$$"""{"errors":[{"code":"{{{code}}}","message":"{{{message}}}","detail":{"hint":1}}]}""", headers);
}

/// <summary>Closes the connection with a TCP reset before answering.</summary>
internal sealed record ResetConnection : ServerAction;

/// <summary>
/// A deliberately small HTTP/1.1 server on 127.0.0.1 over raw sockets, one request per connection, so tests can do
/// what a real registry will not do on demand: reset a connection, send fewer bytes than announced, lie about a
/// digest. Every request is recorded.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly Func<ServerRequest, ServerAction> handler;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public RawHttpServer(Func<ServerRequest, ServerAction> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string Authority => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public ConcurrentQueue<ServerRequest> Requests { get; } = new();

    public int CountRequests(string method, string pathFragment) =>
        Requests.Count(r => r.Method == method && r.Path.Contains(pathFragment, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                if (request is null)
                {
                    return;
                }

                Requests.Enqueue(request);
                switch (handler(request))
                {
                    case ResetConnection:
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Client.Close();
                        return;
                    case Respond respond:
                        await WriteAsync(stream, request, respond);
                        return;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The client went away; nothing to answer.
            }
        }
    }

    private static async Task<ServerRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            // A TLS ClientHello (the client probing https): this server speaks plain HTTP only.
            if (head.Count == 0 && one[0] == 0x16)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var length = headers.TryGetValue("Content-Length", out var text) ? long.Parse(text, CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(body.AsMemory(read));
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return new ServerRequest(requestLine[0], requestLine[1], headers, body);
    }

    private static async Task WriteAsync(NetworkStream stream, ServerRequest request, Respond respond)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {respond.Status} {ReasonPhrase(respond.Status)}\r\n");
        builder.Append(CultureInfo.InvariantCulture, $"Content-Length: {respond.DeclaredLength ?? respond.Body.Length}\r\n");
        builder.Append("Connection: close\r\n");
        foreach (var (name, value) in respond.Headers ?? new Dictionary<string, string>())
        {
            builder.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        builder.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(builder.ToString()));
        if (request.Method != "HEAD")
        {
            await stream.WriteAsync(respond.Body);
        }

        await stream.FlushAsync();
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
