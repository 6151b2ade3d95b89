using System.Security.Cryptography;
using Kaniko.Testing;
using Kaniko.Testing.TokenAuth;

namespace Kaniko.IntegrationTests.Fixtures;

/// <summary>The configuration text and helpers behind the authenticated registry fixtures; no process is started.</summary>
[Trait("Category", "Integration")]
public sealed class AuthRegistryConfigurationTests
{
    [Fact]
    public void Tls_and_htpasswd_sections_name_their_files()
    {
        var options = RegistryServerOptions.Default with
        {
            Tls = new RegistryTlsOptions("/certs/server.crt", "/certs/server.key", "/certs/ca.crt"),
            Htpasswd = new RegistryHtpasswdOptions("a realm", "/auth/htpasswd"),
        };

        var yaml = RegistryConfiguration.Create(options, 5123, "/data");

        Assert.Contains("  tls:\n    certificate: '/certs/server.crt'\n    key: '/certs/server.key'\n", yaml, StringComparison.Ordinal);
        Assert.Contains("auth:\n  htpasswd:\n    realm: 'a realm'\n    path: '/auth/htpasswd'\n", yaml, StringComparison.Ordinal);
        Assert.Equal("https", options.Scheme);
        Assert.True(options.RequiresAuthentication);
    }

    [Fact]
    public void Token_section_names_realm_service_issuer_and_bundle()
    {
        var options = RegistryServerOptions.Default with
        {
            Token = new RegistryTokenOptions(new Uri("https://127.0.0.1:6000/token"), "svc", "iss", "/auth/bundle.crt"),
        };

        var yaml = RegistryConfiguration.Create(options, 5123, "/data");

        Assert.Contains(
            "auth:\n  token:\n    realm: 'https://127.0.0.1:6000/token'\n    service: 'svc'\n    issuer: 'iss'\n    rootcertbundle: '/auth/bundle.crt'\n",
            yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("tls:", yaml, StringComparison.Ordinal);
        Assert.Equal("http", options.Scheme);
    }

    [Fact]
    public void Htpasswd_and_token_together_are_refused()
    {
        var options = RegistryServerOptions.Default with
        {
            Htpasswd = new RegistryHtpasswdOptions("r", "/h"),
            Token = new RegistryTokenOptions(new Uri("http://127.0.0.1:1/token"), "s", "i", "/b"),
        };

        Assert.Throws<ArgumentException>(() => RegistryConfiguration.Create(options, 5123, "/data"));
    }

    [Fact]
    public void Libtrust_key_id_is_twelve_groups_of_base32_from_the_spki_hash()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = key.ExportSubjectPublicKeyInfo();

        var id = LibtrustKeyId.Compute(spki);

        var groups = id.Split(':');
        Assert.Equal(12, groups.Length);
        Assert.All(groups, g => Assert.Matches("^[A-Z2-7]{4}$", g));
        // The first 5 bytes of the hash are the first 8 base32 characters.
        var hash = SHA256.HashData(spki);
        Assert.Equal(Base32Of5(hash.AsSpan(0, 5)), groups[0] + groups[1]);
    }

    [Theory]
    [InlineData(null, "repository", "public/*", "anyone", "repository", "public/app", true)]
    [InlineData(null, "repository", "public/*", null, "repository", "public/app", true)]
    [InlineData("alice", "repository", "private/*", null, "repository", "private/app", false)]
    [InlineData("alice", "repository", "private/*", "bob", "repository", "private/app", false)]
    [InlineData("alice", "repository", "team/app", "alice", "repository", "team/app", true)]
    [InlineData("alice", "repository", "team/app", "alice", "repository", "team/app2", false)]
    [InlineData("alice", "registry", "catalog", "alice", "repository", "catalog", false)]
    public void Grants_match_account_type_and_name_pattern(
        string? account, string type, string pattern, string? caller, string requestedType, string name, bool expected)
    {
        var grant = new TokenGrant(account, type, pattern, ["pull"]);

        Assert.Equal(expected, grant.Covers(caller, requestedType, name));
    }

    private static string Base32Of5(ReadOnlySpan<byte> five)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        ulong bits = 0;
        foreach (var b in five)
        {
            bits = (bits << 8) | b;
        }

        return string.Concat(Enumerable.Range(0, 8).Select(i => Alphabet[(int)((bits >> (35 - (5 * i))) & 31)]));
    }
}
