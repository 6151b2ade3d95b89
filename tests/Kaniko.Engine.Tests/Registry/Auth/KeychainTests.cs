using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry.Auth;

public class KeychainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("reg.test", "reg.test", "ci/pw/-/-")]
    [InlineData("reg.test, other.test:5000", "other.test:5000", "ci/pw/-/-")]
    [InlineData("https://reg.test/", "reg.test", "ci/pw/-/-")]
    [InlineData("docker.io", "index.docker.io", "ci/pw/-/-")]
    [InlineData("reg.test", "base.test", "anonymous")]
    [InlineData("", "reg.test", "anonymous")]
    public async Task The_environment_keychain_serves_only_the_listed_registries(string hosts, string asked, string expected)
    {
        var variables = new Dictionary<string, string?>
        {
            [EnvironmentKeychain.HostsVariable] = hosts,
            [EnvironmentKeychain.UsernameVariable] = "ci",
            [EnvironmentKeychain.PasswordVariable] = "pw",
        };

        var credential = await new EnvironmentKeychain(variables.GetValueOrDefault).ResolveAsync(asked, Ct);

        Assert.Equal(expected, DockerConfigKeychainTests.Describe(credential));
    }

    [Fact]
    public async Task The_environment_keychain_prefers_an_identity_token()
    {
        var variables = new Dictionary<string, string?>
        {
            [EnvironmentKeychain.HostsVariable] = "reg.test",
            [EnvironmentKeychain.IdentityTokenVariable] = "refresh",
            [EnvironmentKeychain.PasswordVariable] = "pw",
        };

        var credential = await new EnvironmentKeychain(variables.GetValueOrDefault).ResolveAsync("reg.test", Ct);

        Assert.Equal("-/-/refresh/-", DockerConfigKeychainTests.Describe(credential));
    }

    [Fact]
    public async Task A_chain_answers_with_the_first_credential_found()
    {
        var chain = new ChainedKeychain(
            new FixedKeychain(RegistryCredential.Anonymous, "first"),
            new FixedKeychain(RegistryCredential.FromPassword("second", "p"), "second"),
            new FixedKeychain(RegistryCredential.FromPassword("third", "p"), "third"));

        Assert.Equal("second", (await chain.ResolveAsync("reg.test", Ct)).Username);
        Assert.Equal("first or second or third", chain.Description);
        Assert.True((await new ChainedKeychain().ResolveAsync("reg.test", Ct)).IsAnonymous);
    }

    [Fact]
    public async Task The_default_chain_reads_the_environment_then_the_docker_config()
    {
        using var dir = new TempDirectory();
        dir.Write("config.json", """{"auths":{"reg.test":{"username":"from-file","password":"p"},"env.test":{"username":"file-loses","password":"p"}}}""");
        var variables = new Dictionary<string, string?>
        {
            ["DOCKER_CONFIG"] = dir.Path,
            [EnvironmentKeychain.HostsVariable] = "env.test",
            [EnvironmentKeychain.UsernameVariable] = "from-env",
            [EnvironmentKeychain.PasswordVariable] = "p",
        };

        var chain = ChainedKeychain.CreateDefault(variables.GetValueOrDefault);

        Assert.Equal("from-file", (await chain.ResolveAsync("reg.test", Ct)).Username);
        Assert.Equal("from-env", (await chain.ResolveAsync("env.test", Ct)).Username);
        Assert.Equal("KANIKO_REGISTRY_* environment variables or " + Path.Combine(dir.Path, "config.json"), chain.Description);
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "index.docker.io")]
    [InlineData("http://reg.test:5000/some/path", "reg.test:5000")]
    [InlineData("reg.test", "reg.test")]
    [InlineData("HTTPS://reg.test/", "reg.test")]
    public void Config_keys_reduce_to_host_names(string key, string host) =>
        Assert.Equal(host, RegistryHostNames.ToHostName(key));

    [Theory]
    [InlineData("docker.io", "https://index.docker.io/v1/")]
    [InlineData("registry-1.docker.io", "https://index.docker.io/v1/")]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000")]
    public void Helpers_are_asked_for_the_server_url_docker_login_stored(string host, string serverUrl) =>
        Assert.Equal(serverUrl, RegistryHostNames.ServerUrlFor(host));
}
