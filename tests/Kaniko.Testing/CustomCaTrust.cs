using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Kaniko.Testing;

/// <summary>
/// TLS validation that trusts exactly one test CA and nothing from the machine's store, so a test proves that the
/// CA it generated is what makes the connection succeed.
/// </summary>
public static class CustomCaTrust
{
    /// <summary>A handler whose server certificate check accepts only chains ending in the CA at <paramref name="caCertificatePath"/>.</summary>
    public static HttpClientHandler CreateHandler(string caCertificatePath)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) => Validate(ca, certificate, chain, errors),
        };
    }

    /// <summary>
    /// Whether <paramref name="certificate"/> names the requested host and chains to <paramref name="ca"/> alone.
    /// Untrusted-root errors from the default policy are expected (the CA is not in the system store) and ignored;
    /// a name mismatch or a missing certificate is not.
    /// </summary>
    public static bool Validate(X509Certificate2 ca, X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }
}
