using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Registry;

/// <summary>
/// The HTTP plumbing for one registry and one kind of access: a socket handler with that registry's TLS settings
/// (skip-verify, extra CA) that never follows redirects itself, and two ways to send through it: with the
/// authentication handshake, and without (pings, probes).
/// </summary>
internal sealed class RegistryTransport : IDisposable
{
    private readonly HttpMessageHandler _socket;

    public RegistryTransport(
        string registry,
        RegistryAccess access,
        RegistryOptions options,
        IKeychain keychain,
        TokenCache tokens,
        Func<HttpMessageHandler, HttpMessageHandler>? wrap)
    {
        Registry = registry;
        _socket = Wrap(CreateSocketHandler(options, options.SkipsTlsVerify(registry, access), LoadCertificate(registry, options.CertificateFor(registry))), wrap);
        var authOptions = new RegistryAuthOptions
        {
            InsecureRegistries = options.IsInsecure(registry, access) ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) { registry } : new HashSet<string>(),
        };
        var authenticating = new AuthenticatingHandler(keychain, authOptions, tokenCache: tokens) { InnerHandler = new NonDisposingHandler(_socket) };
        Authenticated = new HttpMessageInvoker(authenticating, disposeHandler: true);
        Plain = new HttpMessageInvoker(_socket, disposeHandler: false);
    }

    /// <summary>The registry, <c>host[:port]</c>.</summary>
    public string Registry { get; }

    /// <summary>Sends through the authentication handshake.</summary>
    public HttpMessageInvoker Authenticated { get; }

    /// <summary>Sends without credentials.</summary>
    public HttpMessageInvoker Plain { get; }

    /// <summary>A socket handler with default TLS, for hosts a registry redirects to (storage back ends, CDNs).</summary>
    public static HttpMessageHandler CreateForeignHandler(RegistryOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap) =>
        Wrap(CreateSocketHandler(options, skipVerify: false, extraCa: null), wrap);

    public void Dispose()
    {
        Authenticated.Dispose();
        Plain.Dispose();
        _socket.Dispose();
    }

    private static HttpMessageHandler Wrap(HttpMessageHandler handler, Func<HttpMessageHandler, HttpMessageHandler>? wrap) =>
        wrap is null ? handler : wrap(handler);

    private static SocketsHttpHandler CreateSocketHandler(RegistryOptions options, bool skipVerify, X509Certificate2? extraCa)
    {
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by the client, which decides whether the new host may see credentials.
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (skipVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (extraCa is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, extraCa);
        }

        return handler;
    }

    // The extra CA is trusted in addition to the system's: a certificate the system accepts stays accepted, one that
    // fails only on its chain is accepted if it chains to the configured CA. A wrong host name is never accepted.
    private static bool Validate(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 extraCa)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(extraCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static X509Certificate2? LoadCertificate(string registry, string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var pem = new X509Certificate2Collection();
            var text = File.ReadAllText(path);
            if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                pem.ImportFromPem(text);
                return pem[0];
            }

            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new KanikoException(
                DiagnosticCodes.RegistryCertificateUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.RegistryCertificateUnreadable, path, registry, e.Message),
                innerException: e);
        }
    }

    /// <summary>Lets the authenticating handler sit on the shared socket handler without owning it.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The transport disposes the socket handler once, after both invokers.
        }
    }
}
