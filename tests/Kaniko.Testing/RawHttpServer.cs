using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kaniko.Testing;

/// <summary>A request as the raw server read it (a chunked body already decoded).</summary>
/// <param name="Method">The request method, e.g. <c>GET</c>.</param>
/// <param name="Target">The request target as sent: path and query.</param>
/// <param name="Headers">The request headers, names compared without case.</param>
/// <param name="Body">The request body.</param>
public sealed record ServerRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The path of <see cref="Target"/>, without the query.</summary>
    public string Path => Target.Split('?')[0];

    /// <summary>The <c>Authorization</c> header, or null.</summary>
    public string? Authorization => Header("Authorization");

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The value of header <paramref name="name"/>, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the raw server does with a request: <see cref="Respond"/> or <see cref="ResetConnection"/>.</summary>
public abstract record ServerAction;

/// <summary>An HTTP answer.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Body">The body (not sent for HEAD).</param>
/// <param name="Headers">Extra headers; <c>Content-Length</c> and <c>Connection: close</c> are always written.</param>
/// <param name="DeclaredLength">A <c>Content-Length</c> other than the body's, to announce more bytes than are sent.</param>
public sealed record Respond(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, long? DeclaredLength = null) : ServerAction
{
    /// <summary>An answer without a body.</summary>
    public static Respond Empty(int status, params (string Name, string Value)[] headers) =>
        new(status, [], headers.ToDictionary(h => h.Name, h => h.Value));

    /// <summary>An answer with a UTF-8 text body.</summary>
    public static Respond Text(int status, string body) => new(status, Encoding.UTF8.GetBytes(body));

    /// <summary>An answer with a JSON body.</summary>
    public static Respond Json(int status, string json, params (string Name, string Value)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json), headers.Append((Name: "Content-Type", Value: "application/json")).ToDictionary(h => h.Name, h => h.Value));

    /// <summary>A registry error answer: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
    public static Respond Error(int status, string code, string message, params (string Name, string Value)[] headers) =>
        Json(status, $$$"""{"errors":[{"code":"{{{code}}}","message":"{{{message}}}","detail":{"hint":1}}]}""", headers);

    /// <summary>A 401 with a <c>WWW-Authenticate</c> challenge, as a registry sends it.</summary>
    public static Respond Challenge(string challenge) =>
        new(401, """{"errors":[{"code":"UNAUTHORIZED"}]}"""u8.ToArray(), new Dictionary<string, string> { ["WWW-Authenticate"] = challenge });
}

/// <summary>Closes the connection with a TCP reset before answering.</summary>
public sealed record ResetConnection : ServerAction;

/// <summary>
/// A deliberately small HTTP/1.1 server on 127.0.0.1 over raw sockets, one request per connection, so tests can do
/// what a real registry will not do on demand: reset a connection, send fewer bytes than announced, lie about a
/// digest. Every request is recorded.
/// </summary>
/// <remarks>
/// The one in-process HTTP server of the tests: the registry client's fault tests play a registry with it
/// (<c>InMemoryRegistry</c>), the authentication tests a registry and a token server.
/// </remarks>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<ServerRequest, ServerAction> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts listening on a free loopback port; <paramref name="handler"/> decides every answer.</summary>
    public RawHttpServer(Func<ServerRequest, ServerAction> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as image references spell a registry.</summary>
    public string Authority => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary><c>http://127.0.0.1:PORT</c>, without a final slash.</summary>
    public string BaseUrl => "http://" + Authority;

    /// <summary>Every request received, in the order they were read.</summary>
    public ConcurrentQueue<ServerRequest> Requests { get; } = new();

    /// <summary>The requests whose target starts with <paramref name="pathPrefix"/>.</summary>
    public IEnumerable<ServerRequest> RequestsTo(string pathPrefix) =>
        Requests.Where(r => r.Target.StartsWith(pathPrefix, StringComparison.Ordinal));

    /// <summary>How many <paramref name="method"/> requests had a path containing <paramref name="pathFragment"/>.</summary>
    public int CountRequests(string method, string pathFragment) =>
        Requests.Count(r => r.Method == method && r.Path.Contains(pathFragment, StringComparison.Ordinal));

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
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
                switch (_handler(request))
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
        // A TLS ClientHello (the client probing https) starts with 0x16: this server speaks plain HTTP only.
        var requestLine = await ReadLineAsync(stream, refuseTls: true);
        if (requestLine is null)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? line;
        while ((line = await ReadLineAsync(stream)) is { Length: > 0 })
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        if (line is null)
        {
            return null;
        }

        byte[]? body;
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            // A body of unknown length (a stream without Length): HttpClient sends it chunked.
            body = await ReadChunkedAsync(stream);
        }
        else
        {
            var length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
            body = await ReadExactlyAsync(stream, length);
        }

        var parts = requestLine.Split(' ');
        return body is null ? null : new ServerRequest(parts[0], parts[1], headers, body);
    }

    private static async Task<byte[]?> ReadChunkedAsync(NetworkStream stream)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream);
            if (sizeLine is null)
            {
                return null;
            }

            // Chunk extensions (";name=value") may follow the size.
            var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailer fields, then the empty line that ends the message.
                string? trailer;
                while ((trailer = await ReadLineAsync(stream)) is { Length: > 0 })
                {
                }

                return trailer is null ? null : body.ToArray();
            }

            var chunk = await ReadExactlyAsync(stream, size);
            if (chunk is null || await ReadLineAsync(stream) is null)
            {
                return null;
            }

            body.Write(chunk);
        }
    }

    /// <summary>One CRLF-terminated line without its end; null when the connection ends first (or, with <paramref name="refuseTls"/>, when TLS begins).</summary>
    private static async Task<string?> ReadLineAsync(NetworkStream stream, bool refuseTls = false)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0 || (refuseTls && line.Count == 0 && one[0] == 0x16))
            {
                return null;
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
            }

            line.Add(one[0]);
        }
    }

    private static async Task<byte[]?> ReadExactlyAsync(NetworkStream stream, int length)
    {
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        return buffer;
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
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
