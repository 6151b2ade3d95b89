using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>Secrets never appear when credentials or tokens are printed.</summary>
public class RedactionTests
{
    private const string Secret = "s3cr3t-0b7e4d2a-unique";

    public static TheoryData<object> Credentials => new()
    {
        RegistryCredential.FromPassword("alice", Secret, "/root/.docker/config.json"),
        RegistryCredential.FromIdentityToken(Secret, "alice"),
        RegistryCredential.FromRegistryToken(Secret),
        new RegistryCredential { Username = "a", Password = Secret, IdentityToken = Secret, RegistryToken = Secret },
    };

    [Theory]
    [MemberData(nameof(Credentials))]
    public void A_credential_prints_without_its_secrets(object value)
    {
        var credential = (RegistryCredential)value;
        Assert.DoesNotContain(Secret, credential.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, $"{credential}", StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, (credential with { Source = "x" }).ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, string.Join(",", new[] { credential }), StringComparison.Ordinal);
        Assert.Contains("***", credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_printed_form_shows_what_is_safe()
    {
        Assert.Equal("RegistryCredential { Username = alice, Password = ***, Source = /root/.docker/config.json }",
            RegistryCredential.FromPassword("alice", Secret, "/root/.docker/config.json").ToString());
        Assert.Equal("RegistryCredential { Anonymous }", RegistryCredential.Anonymous.ToString());
    }

    [Fact]
    public void A_token_prints_without_its_value()
    {
        var token = new BearerToken(Secret, DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1), null, FromCredentials: true);

        Assert.DoesNotContain(Secret, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, $"{token}", StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_compare_by_value()
    {
        Assert.Equal(RegistryCredential.FromPassword("a", "b"), RegistryCredential.FromPassword("a", "b"));
        Assert.True(new RegistryCredential().IsAnonymous);
        Assert.False(RegistryCredential.FromRegistryToken("t").HasPassword);
    }
}
