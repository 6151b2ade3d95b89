using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kaniko.Testing;

/// <summary>What the loopback server received.</summary>
public sealed record LoopbackRequest(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body);

/// <summary>The answer a test route gives.</summary>
public sealed record LoopbackReply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>Raw bytes to send instead of <see cref="Body"/> (downloads of binary content).</summary>
    public byte[]? BodyBytes { get; init; }

    /// <summary>A 200 answer with a JSON body.</summary>
    public static LoopbackReply Json(string body) => new(200, body, new Dictionary<string, string> { ["Content-Type"] = "application/json" });

    /// <summary>A 401 answer with a <c>WWW-Authenticate</c> challenge, as a registry sends it.</summary>
    public static LoopbackReply Challenge(string challenge) => new(401, """{"errors":[{"code":"UNAUTHORIZED"}]}""", new Dictionary<string, string> { ["WWW-Authenticate"] = challenge });
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1 whose answers a test decides: a stand-in for a registry or a token server where a
/// real one cannot show a behaviour on demand (expired or revoked tokens, error answers). Every request is recorded;
/// the route function decides the answer. Requests are served one at a time.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<LoopbackRequest, LoopbackReply> _route;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<LoopbackRequest, LoopbackReply> route)
    {
        _route = route;
        (_listener, Port) = Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Authority => $"127.0.0.1:{Port}";

    public string BaseUrl => $"http://{Authority}";

    public ConcurrentQueue<LoopbackRequest> Requests { get; } = new();

    public IEnumerable<LoopbackRequest> RequestsTo(string pathPrefix) => Requests.Where(r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));

    private static (HttpListener, int) Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var recorded = new LoopbackRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery,
                context.Request.Headers["Authorization"], context.Request.ContentType, await reader.ReadToEndAsync());
            Requests.Enqueue(recorded);
            LoopbackReply reply;
            try
            {
                reply = _route(recorded);
            }
            catch (Exception e)
            {
                reply = new LoopbackReply(500, "route failed: " + e.Message);
            }

            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                if (name == "Content-Type")
                {
                    context.Response.ContentType = value;
                }
                else
                {
                    context.Response.Headers[name] = value;
                }
            }

            var bytes = reply.BodyBytes ?? Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop followed by Close makes the managed HttpListener bind the port again to remove its
        // prefix, which fails when another test's server has taken the port meanwhile.
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

