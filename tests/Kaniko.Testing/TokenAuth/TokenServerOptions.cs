namespace Kaniko.Testing.TokenAuth;

/// <summary>How the tokens' signing key is named in the JWT header; distribution 2.8 accepts either.</summary>
public enum TokenKeyReference
{
    /// <summary><c>kid</c>: the libtrust key ID of a certificate in the registry's <c>rootcertbundle</c>.</summary>
    KeyId,

    /// <summary><c>x5c</c>: the signing certificate itself, verified against the <c>rootcertbundle</c> as roots.</summary>
    CertificateChain,
}

/// <summary>The JWS algorithm of the tokens; distribution 2.8 (libtrust) verifies both.</summary>
public enum TokenSigningAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256; the default, because a P-256 key is made in microseconds.</summary>
    ES256,

    /// <summary>RSA PKCS#1 v1.5 with SHA-256, as Docker Hub signs; an RSA-2048 key takes up to a second to make.</summary>
    RS256,
}

/// <summary>What one account may do on resources whose name matches a pattern.</summary>
/// <param name="Account">The user the grant is for; null grants to everyone, anonymous callers included.</param>
/// <param name="Type">The resource type, e.g. <c>repository</c> or <c>registry</c>.</param>
/// <param name="NamePattern">An exact name, or a prefix followed by <c>*</c> (<c>team/*</c>, <c>*</c>).</param>
/// <param name="Actions">The actions granted (<c>pull</c>, <c>push</c>, <c>delete</c>, <c>*</c>).</param>
public sealed record TokenGrant(string? Account, string Type, string NamePattern, IReadOnlyList<string> Actions)
{
    /// <summary>Grants <paramref name="actions"/> on repositories matching <paramref name="pattern"/> to <paramref name="account"/>.</summary>
    public static TokenGrant Repository(string account, string pattern, params string[] actions) => new(account, "repository", pattern, actions);

    /// <summary>Grants <paramref name="actions"/> on repositories matching <paramref name="pattern"/> to everyone.</summary>
    public static TokenGrant Public(string pattern, params string[] actions) => new(null, "repository", pattern, actions);

    /// <summary>Whether this grant covers <paramref name="account"/> (null: anonymous) on the resource <paramref name="type"/>/<paramref name="name"/>.</summary>
    public bool Covers(string? account, string type, string name)
    {
        if ((Account is not null && Account != account) || Type != type)
        {
            return false;
        }

        return NamePattern.EndsWith('*')
            ? name.StartsWith(NamePattern[..^1], StringComparison.Ordinal)
            : name == NamePattern;
    }
}

/// <summary>The configuration of a <see cref="TokenServer"/>.</summary>
public sealed record TokenServerOptions
{
    /// <summary>The registry's service name; a request for another service is refused and tokens carry it as audience.</summary>
    public string Service { get; init; } = "kaniko-test-registry";

    /// <summary>The <c>iss</c> claim, which the registry must list as its trusted issuer.</summary>
    public string Issuer { get; init; } = "kaniko-test-token-issuer";

    /// <summary>User names and their passwords.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>What each account may do; a requested action nobody granted is left out of the token.</summary>
    public IReadOnlyList<TokenGrant> Grants { get; init; } = [];

    /// <summary>Whether requests without credentials get a token (holding only the grants to everyone).</summary>
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>How long an access token is valid (<c>expires_in</c>).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Serve HTTPS with this certificate (as Docker Hub's auth endpoint does); null for plain HTTP.</summary>
    public TestServerCertificate? Certificate { get; init; }

    /// <summary>The signature algorithm (and so the kind of signing key).</summary>
    public TokenSigningAlgorithm SigningAlgorithm { get; init; } = TokenSigningAlgorithm.ES256;

    /// <summary>How the JWT header names the signing key.</summary>
    public TokenKeyReference KeyReference { get; init; } = TokenKeyReference.KeyId;
}
