using Kaniko.Engine.Registry.Auth;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>What the loopback server received.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body);

/// <summary>The answer a test route gives.</summary>
internal sealed record Reply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null)
{
    public static Reply Json(string body) => new(200, body, new Dictionary<string, string> { ["Content-Type"] = "application/json" });

    public static Reply Challenge(string challenge) => new(401, """{"errors":[{"code":"UNAUTHORIZED"}]}""", new Dictionary<string, string> { ["WWW-Authenticate"] = challenge });
}

/// <summary>
/// A tiny HTTP server on 127.0.0.1 for the parts of the handshake a real registry cannot show on demand (expired
/// tokens, revoked tokens, the OAuth2 form). Every request is recorded; the route function decides the answer.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<RecordedRequest, Reply> _route;
    private readonly Task _loop;

    public LoopbackServer(Func<RecordedRequest, Reply> route)
    {
        _route = route;
        (_listener, Port) = Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Authority => $"127.0.0.1:{Port}";

    public string BaseUrl => $"http://{Authority}";

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public IEnumerable<RecordedRequest> RequestsTo(string pathPrefix) => Requests.Where(r => r.PathAndQuery.StartsWith(pathPrefix, StringComparison.Ordinal));

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
            var recorded = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery,
                context.Request.Headers["Authorization"], context.Request.ContentType, await reader.ReadToEndAsync());
            Requests.Enqueue(recorded);
            Reply reply;
            try
            {
                reply = _route(recorded);
            }
            catch (Exception e)
            {
                reply = new Reply(500, "route failed: " + e.Message);
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

            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
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

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A keychain with a fixed answer, to test the handler without files.</summary>
internal sealed class FixedKeychain(RegistryCredential credential, string description = "test keychain") : IKeychain
{
    public int Calls;

    public string Description => description;

    public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        return ValueTask.FromResult(credential);
    }
}
