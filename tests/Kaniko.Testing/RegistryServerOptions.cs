namespace Kaniko.Testing;

/// <summary>
/// How a test registry is configured. The plain variant (HTTP on loopback, no auth) is the default; <see cref="Tls"/>,
/// <see cref="Htpasswd"/> and <see cref="Token"/> add the sections of the authenticated variants, while
/// <see cref="RegistryServer"/> and <see cref="RegistryFixture"/> keep the same lifecycle.
/// </summary>
public sealed record RegistryServerOptions
{
    /// <summary>The binary Debian's <c>docker-registry</c> package installs.</summary>
    public const string DefaultBinaryPath = "/usr/bin/docker-registry";

    /// <summary>Plain HTTP registry with deletes enabled.</summary>
    public static RegistryServerOptions Default { get; } = new();

    /// <summary>The registry binary; <c>KANIKO_TEST_REGISTRY_BIN</c> overrides the default.</summary>
    public string BinaryPath { get; init; } =
        Environment.GetEnvironmentVariable("KANIKO_TEST_REGISTRY_BIN") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : DefaultBinaryPath;

    /// <summary>How long to wait for <c>GET /v2/</c> to answer before giving up.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether manifests and blobs may be deleted (<c>storage.delete.enabled</c>).</summary>
    public bool DeleteEnabled { get; init; } = true;

    /// <summary>Serve HTTPS with this certificate (<c>http.tls</c>); null for plain HTTP.</summary>
    public RegistryTlsOptions? Tls { get; init; }

    /// <summary>Require HTTP Basic credentials checked against an htpasswd file (<c>auth.htpasswd</c>).</summary>
    public RegistryHtpasswdOptions? Htpasswd { get; init; }

    /// <summary>Require bearer tokens issued by a token server (<c>auth.token</c>).</summary>
    public RegistryTokenOptions? Token { get; init; }

    /// <summary>Whether an anonymous <c>GET /v2/</c> answers 401 rather than 200.</summary>
    public bool RequiresAuthentication => Htpasswd is not null || Token is not null;

    /// <summary><c>https</c> when <see cref="Tls"/> is set, else <c>http</c>.</summary>
    public string Scheme => Tls is null ? "http" : "https";
}

/// <summary>The certificate a TLS registry serves and the CA that clients must trust to accept it.</summary>
/// <param name="CertificatePath">PEM server certificate (<c>http.tls.certificate</c>).</param>
/// <param name="KeyPath">PEM private key of the server certificate (<c>http.tls.key</c>).</param>
/// <param name="CaCertificatePath">PEM certificate of the CA that signed the server certificate.</param>
public sealed record RegistryTlsOptions(string CertificatePath, string KeyPath, string CaCertificatePath);

/// <summary>The <c>auth.htpasswd</c> section: Basic authentication against bcrypt entries.</summary>
/// <param name="Realm">The realm announced in <c>WWW-Authenticate: Basic realm="..."</c>.</param>
/// <param name="Path">The htpasswd file (bcrypt entries only; distribution rejects others).</param>
public sealed record RegistryHtpasswdOptions(string Realm, string Path);

/// <summary>The <c>auth.token</c> section: bearer tokens from a token server, verified with its certificate.</summary>
/// <param name="Realm">The token endpoint announced in <c>WWW-Authenticate: Bearer realm="..."</c>.</param>
/// <param name="Service">The service name; tokens must carry it as their audience.</param>
/// <param name="Issuer">The issuer tokens must carry in <c>iss</c>.</param>
/// <param name="RootCertificateBundlePath">PEM certificates whose keys may sign tokens (<c>rootcertbundle</c>).</param>
public sealed record RegistryTokenOptions(Uri Realm, string Service, string Issuer, string RootCertificateBundlePath);
