using System.Globalization;
using System.Security.Cryptography;

namespace Kaniko.Testing;

/// <summary>A server certificate for a loopback test server and the CA that signed it, as PEM files.</summary>
/// <param name="CertificatePath">The server certificate (SAN IP:127.0.0.1, DNS:localhost).</param>
/// <param name="KeyPath">The server certificate's private key.</param>
/// <param name="CaCertificatePath">The CA certificate, a client's only trust anchor.</param>
/// <param name="CertificateDirectory">
/// A directory holding only <c>ca.crt</c>, like one containers <c>certs.d/HOST:PORT</c> folder: what skopeo's
/// <c>--cert-dir</c>/<c>--dest-cert-dir</c> expect.
/// </param>
public sealed record TestServerCertificate(string CertificatePath, string KeyPath, string CaCertificatePath, string CertificateDirectory)
{
    /// <summary>An <see cref="HttpClientHandler"/> that trusts the test CA and nothing else.</summary>
    public HttpClientHandler CreateTrustingHandler() => CustomCaTrust.CreateHandler(CaCertificatePath);
}

/// <summary>
/// A private CA for test servers, made with <c>openssl</c> (an independent tool, so our TLS code is checked against
/// certificates it did not write). The CA is cached in <see cref="TestCache"/>; server certificates are cheap P-256
/// keys and are issued fresh for every fixture.
/// </summary>
public static class TestCertificateAuthority
{
    /// <summary>Bump when the CA's shape changes, so caches rebuild.</summary>
    public const int CaVersion = 1;

    private const string CaCertificateName = "ca.crt";
    private const string CaKeyName = "ca.key";

    private static readonly SemaphoreSlim CacheLock = new(1, 1);

    /// <summary>The directory of the cached CA (<c>ca.crt</c>, <c>ca.key</c>), created on first use.</summary>
    public static async Task<string> CaDirectoryAsync(CancellationToken cancellationToken = default)
    {
        var openssl = TestRequirements.Executable("openssl");
        await CacheLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Keyed by year as well: a cached CA is replaced long before its ten years run out.
            var key = string.Create(CultureInfo.InvariantCulture, $"test-ca-v{CaVersion}-{DateTime.UtcNow.Year}");
            return await TestCache.GetOrCreateDirectoryAsync(key, staging => CreateCaAsync(openssl, staging, cancellationToken))
                .ConfigureAwait(false);
        }
        finally
        {
            CacheLock.Release();
        }
    }

    /// <summary>
    /// Issues a server certificate for 127.0.0.1 and localhost into <paramref name="directory"/> (<c>server.crt</c>,
    /// <c>server.key</c>, a copy of the CA as <c>ca.crt</c>, and <c>cert-dir/ca.crt</c>).
    /// </summary>
    public static async Task<TestServerCertificate> IssueServerCertificateAsync(string directory, CancellationToken cancellationToken = default)
    {
        var openssl = TestRequirements.Executable("openssl");
        var caDirectory = await CaDirectoryAsync(cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        var key = Path.Combine(directory, "server.key");
        var request = Path.Combine(directory, "server.csr");
        var certificate = Path.Combine(directory, "server.crt");
        var extensions = Path.Combine(directory, "server.ext");
        var ca = Path.Combine(directory, CaCertificateName);
        File.Copy(Path.Combine(caDirectory, CaCertificateName), ca, overwrite: true);
        await File.WriteAllTextAsync(
            extensions,
            "basicConstraints=critical,CA:FALSE\n" +
            "keyUsage=critical,digitalSignature\n" +
            "extendedKeyUsage=serverAuth\n" +
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
            cancellationToken).ConfigureAwait(false);

        await ExternalTools.RunCheckedAsync(
            openssl,
            ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        // A random serial instead of -CAcreateserial, which would write a serial file next to the cached CA.
        await ExternalTools.RunCheckedAsync(
            openssl,
            ["x509", "-req", "-in", request, "-CA", ca, "-CAkey", Path.Combine(caDirectory, CaKeyName),
             "-set_serial", "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
             "-days", "30", "-sha256", "-extfile", extensions, "-out", certificate],
            cancellationToken: cancellationToken).ConfigureAwait(false);
        File.Delete(request);
        File.Delete(extensions);
        var certificateDirectory = Directory.CreateDirectory(Path.Combine(directory, "cert-dir")).FullName;
        File.Copy(ca, Path.Combine(certificateDirectory, CaCertificateName), overwrite: true);
        return new TestServerCertificate(certificate, key, ca, certificateDirectory);
    }

    private static async Task CreateCaAsync(string openssl, string directory, CancellationToken cancellationToken)
    {
        await ExternalTools.RunCheckedAsync(
            openssl,
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", Path.Combine(directory, CaKeyName), "-out", Path.Combine(directory, CaCertificateName),
             "-days", "3650", "-sha256", "-subj", "/CN=Kaniko for .NET test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
