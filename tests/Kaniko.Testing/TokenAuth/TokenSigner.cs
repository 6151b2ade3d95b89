using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Kaniko.Testing.TokenAuth;

/// <summary>
/// Signs registry tokens as compact JWS (ES256 or RS256) with a fresh key whose self-signed certificate goes into the
/// registry's <c>rootcertbundle</c>.
/// </summary>
public sealed class TokenSigner : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly X509Certificate2 _certificate;
    private readonly TokenSigningAlgorithm _algorithm;
    private readonly TokenKeyReference _keyReference;

    /// <summary>Creates a new signing key and its certificate.</summary>
    public TokenSigner(TokenSigningAlgorithm algorithm, TokenKeyReference keyReference)
    {
        _algorithm = algorithm;
        _keyReference = keyReference;
        const string Subject = "CN=Kaniko for .NET test token signer";
        CertificateRequest request;
        if (algorithm == TokenSigningAlgorithm.RS256)
        {
            var rsa = RSA.Create(2048);
            _key = rsa;
            request = new CertificateRequest(Subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        else
        {
            var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _key = ecdsa;
            request = new CertificateRequest(Subject, ecdsa, HashAlgorithmName.SHA256);
        }

        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var now = DateTimeOffset.UtcNow;
        _certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        KeyId = LibtrustKeyId.Compute(_key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>The libtrust key ID of the signing key, as the <c>kid</c> header carries it.</summary>
    public string KeyId { get; }

    /// <summary>The signing certificate in PEM, the content of the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem() + "\n";

    /// <summary>Returns <c>header.claims.signature</c> for the claims <paramref name="writeClaims"/> writes into a JSON object.</summary>
    public string Sign(Action<Utf8JsonWriter> writeClaims)
    {
        ArgumentNullException.ThrowIfNull(writeClaims);
        var header = Json(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", _algorithm.ToString());
            if (_keyReference == TokenKeyReference.KeyId)
            {
                w.WriteString("kid", KeyId);
            }
            else
            {
                w.WriteStartArray("x5c");
                w.WriteStringValue(Convert.ToBase64String(_certificate.RawData));
                w.WriteEndArray();
            }
        });
        var signingInput = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(header) + "." + Base64Url.EncodeToString(Json(writeClaims)));
        // JWS ES256 wants r||s (IEEE P1363), which is .NET's default signature format, not DER.
        var signature = _key switch
        {
            RSA rsa => rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ecdsa => ecdsa.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new InvalidOperationException("unexpected key type " + _key.GetType()),
        };
        return Encoding.ASCII.GetString(signingInput) + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Releases the key and certificate.</summary>
    public void Dispose()
    {
        _certificate.Dispose();
        _key.Dispose();
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeMembers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
