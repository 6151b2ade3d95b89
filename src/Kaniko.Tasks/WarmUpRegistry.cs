using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Kaniko.Tasks;

/// <summary>
/// A registry on a loopback port of this process that accepts any push and keeps nothing. The warm-up pushes its tiny
/// image here, so the push path of the image step (manifest and blob checks, uploads, the image and attestation
/// manifests, the index) is compiled before the image step without writing to any registry of the user's. No blob or
/// manifest is ever found, so every blob is uploaded; what is uploaded is read and dropped; a manifest is answered with
/// the digest of its bytes, as a registry answers. It speaks plain HTTP, so a push over TLS still compiles its TLS code
/// in the image step.
/// </summary>
internal sealed class WarmUpRegistry(HttpListener listener, string host) : IDisposable
{
    private Task _serving = Task.CompletedTask;
    private int _uploads;

    /// <summary>The registry's <c>host:port</c>, for image references and the plain-HTTP registry list.</summary>
    public string Host { get; } = host;

    /// <summary>Listens on a free loopback port, or returns null when none could be taken (the warm-up then skips the push).</summary>
    public static WarmUpRegistry? TryStart()
    {
        // HttpListener takes a prefix, not port 0: ask the system for a free port, then bind it (another process
        // could take it in between, so a few tries).
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var listener = new HttpListener();
            try
            {
                var host = "127.0.0.1:" + FreePort().ToString(CultureInfo.InvariantCulture);
                listener.Prefixes.Add("http://" + host + "/");
                listener.Start();
                var registry = new WarmUpRegistry(listener, host);
                registry._serving = Task.Run(registry.ServeAsync);
                return registry;
            }
            catch (Exception e) when (e is HttpListenerException or SocketException)
            {
                listener.Close();
            }
        }

        return null;
    }

    /// <summary>How many blob uploads were finished: the tests' evidence that the upload path ran.</summary>
    public int Uploads => Volatile.Read(ref _uploads);

    /// <summary>Stops listening and waits for the loop to end; requests still being answered are cut off.</summary>
    public void Dispose()
    {
        listener.Close();
        _serving.GetAwaiter().GetResult();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            // The engine uploads several blobs at once: each request is answered on its own.
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var request = context.Request;
            var path = request.Url?.AbsolutePath ?? "/";
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.InputStream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
            }

            response.ContentLength64 = 0;
            switch (request.HttpMethod)
            {
                case "GET" when path == "/v2/":
                    response.StatusCode = (int)HttpStatusCode.OK;
                    break;
                case "POST" when path.EndsWith("/blobs/uploads/", StringComparison.Ordinal):
                    response.StatusCode = (int)HttpStatusCode.Accepted;
                    response.AddHeader("Location", path + Guid.NewGuid().ToString("N"));
                    response.AddHeader("Range", "0-0");
                    break;
                case "PATCH" when path.Contains("/blobs/uploads/", StringComparison.Ordinal):
                    response.StatusCode = (int)HttpStatusCode.Accepted;
                    response.AddHeader("Location", path);
                    break;
                case "PUT" when path.Contains("/blobs/uploads/", StringComparison.Ordinal):
                    Interlocked.Increment(ref _uploads);
                    response.StatusCode = (int)HttpStatusCode.Created;
                    response.AddHeader("Docker-Content-Digest", request.QueryString["digest"] ?? string.Empty);
                    break;
                case "PUT" when path.Contains("/manifests/", StringComparison.Ordinal):
                    response.StatusCode = (int)HttpStatusCode.Created;
                    response.AddHeader("Docker-Content-Digest", "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
                    break;
                default:
                    // HEAD of a blob or a manifest: never here, so everything is uploaded.
                    response.StatusCode = (int)HttpStatusCode.NotFound;
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped while answering: the warm-up is over.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Already cut off.
            }
        }
    }
}
