using System.Net.Sockets;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>
/// A bare <see cref="SocketException"/> (not wrapped in an <see cref="IOException"/> or
/// <see cref="HttpRequestException"/>), which a socket call outside a stream throws when the peer resets the
/// connection (ENOTCONN, "Transport endpoint is not connected"): it is a transient registry failure, retried, and
/// never escapes as an internal error. The in-process handler throws it where a real connection cannot be made to.
/// </summary>
public sealed class RegistrySocketFaultTests
{
    private const string Repository = "team/app";

    [Fact]
    public async Task A_bare_socket_error_is_retried()
    {
        var registry = new InMemoryRegistry();
        var (digest, _, _) = registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(registry.Handle);
        var faults = 1;
        using var client = new RegistryClient(Options(server), new ChainedKeychain(), inner => new SocketFault(inner, () => Interlocked.Decrement(ref faults) >= 0));

        var manifest = await client.GetManifestAsync(ImageReference.Parse($"{server.Authority}/{Repository}:1"), TestContext.Current.CancellationToken);

        Assert.Equal(digest, manifest.Digest);
    }

    [Fact]
    public async Task A_socket_error_that_persists_is_a_registry_error_naming_the_registry()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(registry.Handle);
        using var client = new RegistryClient(Options(server) with { PullRetries = 1 }, new ChainedKeychain(), inner => new SocketFault(inner, () => true));

        var error = await Assert.ThrowsAsync<RegistryException>(
            () => client.GetManifestAsync(ImageReference.Parse($"{server.Authority}/{Repository}:1"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryRetriesExhausted, error.Code);
        Assert.Contains(server.Authority, error.Message, StringComparison.Ordinal);
    }

    private static RegistryOptions Options(RawHttpServer server) => new()
    {
        InsecureRegistries = new HashSet<string>([server.Authority], StringComparer.OrdinalIgnoreCase),
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromSeconds(1),
    };

    private sealed class SocketFault(HttpMessageHandler inner, Func<bool> fail) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) && fail()
                ? throw new SocketException((int)SocketError.NotConnected)
                : base.SendAsync(request, cancellationToken);
    }
}
