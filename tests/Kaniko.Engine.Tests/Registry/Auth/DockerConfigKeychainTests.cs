using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>The forms of docker's config.json and how a registry host finds its entry, as the docker CLI does.</summary>
public class DockerConfigKeychainTests
{
    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>config.json content | host asked | expected "user/password/identity/registry" (- for none, "anonymous").</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        // "auth" is base64(user:password); the password may itself hold colons.
        { """{"auths":{"127.0.0.1:5000":{"auth":"AUTH"}}}""".Replace("AUTH", B64("alice:s3:cret")), "127.0.0.1:5000", "alice/s3:cret/-/-" },
        // Separate username and password fields.
        { """{"auths":{"reg.test":{"username":"bob","password":"pw"}}}""", "reg.test", "bob/pw/-/-" },
        // "auth" wins over separate fields, as in docker.
        { """{"auths":{"reg.test":{"auth":"AUTH","username":"x","password":"y"}}}""".Replace("AUTH", B64("a:b")), "reg.test", "a/b/-/-" },
        // Identity token (refresh token) and registry token.
        { """{"auths":{"reg.test":{"username":"u","identitytoken":"refresh-1"}}}""", "reg.test", "u/-/refresh-1/-" },
        { """{"auths":{"reg.test":{"registrytoken":"bearer-1"}}}""", "reg.test", "-/-/-/bearer-1" },
        // Keys written with a scheme and a path still match the bare host.
        { """{"auths":{"https://reg.test/v1/":{"username":"u","password":"p"}}}""", "reg.test", "u/p/-/-" },
        { """{"auths":{"http://reg.test:5000":{"username":"u","password":"p"}}}""", "reg.test:5000", "u/p/-/-" },
        // A different port is a different registry.
        { """{"auths":{"reg.test:5000":{"username":"u","password":"p"}}}""", "reg.test:5001", "anonymous" },
        { """{"auths":{"reg.test:5000":{"username":"u","password":"p"}}}""", "reg.test", "anonymous" },
        // An exact key beats a key that only reduces to the same host.
        { """{"auths":{"https://reg.test/v2/":{"username":"long","password":"p"},"reg.test":{"username":"exact","password":"p"}}}""", "reg.test", "exact/p/-/-" },
        // Docker Hub is stored under its index URL whichever of its names the image used.
        { """{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"p"}}}""", "docker.io", "hub/p/-/-" },
        { """{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"p"}}}""", "index.docker.io", "hub/p/-/-" },
        { """{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"p"}}}""", "registry-1.docker.io", "hub/p/-/-" },
        { """{"auths":{"docker.io":{"username":"short","password":"p"}}}""", "index.docker.io", "short/p/-/-" },
        // An empty entry (what docker login leaves beside a credsStore) is anonymous.
        { """{"auths":{"reg.test":{}}}""", "reg.test", "anonymous" },
        // No auths at all, null members, unknown members, comments and a trailing BOM-free file.
        { """{}""", "reg.test", "anonymous" },
        { """{"auths":null,"credHelpers":null,"credsStore":null}""", "reg.test", "anonymous" },
        { """{"psFormat":"table","auths":{"reg.test":{"username":"u","password":"p","email":"u@example.invalid"}}}""", "reg.test", "u/p/-/-" },
        { "// written by hand\n{\"auths\":{\"reg.test\":{\"username\":\"u\",\"password\":\"p\"}}}", "reg.test", "u/p/-/-" },
        // Host names are not case-sensitive.
        { """{"auths":{"REG.test":{"username":"u","password":"p"}}}""", "reg.TEST", "u/p/-/-" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Resolves_the_entry_docker_would_use(string config, string host, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config.json", config);

        var credential = await new DockerConfigKeychain(path).ResolveAsync(host, TestContext.Current.CancellationToken);

        Assert.Equal(expected, Describe(credential));
        if (!credential.IsAnonymous)
        {
            Assert.Equal(path, credential.Source);
        }
    }

    [Fact]
    public async Task A_byte_order_mark_is_allowed()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "config.json");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. """{"auths":{"reg.test":{"username":"u","password":"p"}}}"""u8]);

        var credential = await new DockerConfigKeychain(path).ResolveAsync("reg.test", TestContext.Current.CancellationToken);

        Assert.Equal("u/p/-/-", Describe(credential));
    }

    [Fact]
    public async Task A_missing_file_means_anonymous()
    {
        using var dir = new TempDirectory();

        var credential = await new DockerConfigKeychain(Path.Combine(dir.Path, "nope", "config.json")).ResolveAsync("reg.test", TestContext.Current.CancellationToken);

        Assert.True(credential.IsAnonymous);
    }

    [Theory]
    [InlineData("""{"auths":{"reg.test":{"username":"u",""", "malformed JSON at line 1")]
    [InlineData("{\n  \"auths\": {\n    \"reg.test\": {\"auth\": \"SECRET-VALUE-1\" oops}\n  }\n}", "malformed JSON at line 3")]
    [InlineData("""[1,2]""", "the top level is not a JSON object")]
    [InlineData("""{"auths":[]}""", "auths is not a JSON object")]
    [InlineData("""{"auths":{"reg.test":"SECRET-VALUE-1"}}""", "auths entry \"reg.test\" is not a JSON object")]
    [InlineData("""{"auths":{"reg.test":{"password":12}}}""", "auths entry \"reg.test\" has a non-string \"password\"")]
    [InlineData("""{"auths":{"reg.test":{"auth":"SECRET-VALUE-1!"}}}""", "\"auth\" value that is not base64 of user:password")]
    [InlineData("""{"auths":{"reg.test":{"auth":"U0VDUkVULVZBTFVFLTE="}}}""", "\"auth\" value that is not base64 of user:password")]
    [InlineData("""{"credHelpers":{"reg.test":1}}""", "credHelpers entry \"reg.test\" is not a string")]
    [InlineData("""{"credsStore":true}""", "credsStore is not a string")]
    public void A_malformed_file_is_an_error_naming_the_file_and_never_the_secret(string config, string reason)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config.json", config);

        var error = Assert.Throws<KanikoException>(() => DockerConfigFile.Load(path));

        Assert.Equal(DiagnosticCodes.DockerConfigInvalid, error.Code);
        Assert.StartsWith($"cannot read docker config {path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-VALUE-1", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json at all")]
    [InlineData("""{"auths":{"reg.test":{"auth":"SECRET-VALUE-1!"}}}""")]
    public async Task A_file_that_cannot_be_used_is_a_warning_naming_it_and_no_credentials_for_every_registry(string config)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("config.json", config);
        var keychain = new DockerConfigKeychain(path);

        var warning = Assert.Single(keychain.Open());

        Assert.Equal(DiagnosticCodes.DockerConfigInvalid, warning.Code);
        Assert.Contains(path, warning.Message, StringComparison.Ordinal);
        Assert.Contains("the file is not used", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-VALUE-1", warning.Message, StringComparison.Ordinal);
        Assert.True((await keychain.ResolveAsync("reg.test", TestContext.Current.CancellationToken)).IsAnonymous);
        Assert.True((await keychain.ResolveAsync("127.0.0.1:5000", TestContext.Current.CancellationToken)).IsAnonymous);
        Assert.Single(new ChainedKeychain(new EnvironmentKeychain(_ => null), keychain).Open());
    }

    [Fact]
    public void A_missing_or_good_file_opens_without_warnings()
    {
        using var dir = new TempDirectory();

        Assert.Empty(new DockerConfigKeychain(dir.Combine("absent.json")).Open());
        Assert.Empty(new DockerConfigKeychain(dir.Write("config.json", """{"auths":{}}""")).Open());
    }

    [Theory]
    [InlineData("/kaniko/.docker", null, "/kaniko/.docker/config.json")]
    [InlineData(null, "/home/builder", "/home/builder/.docker/config.json")]
    [InlineData("", "/home/builder", "/home/builder/.docker/config.json")]
    public void The_file_is_found_as_docker_finds_it(string? dockerConfig, string? home, string expected)
    {
        var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = dockerConfig, ["HOME"] = home };

        Assert.Equal(expected, DockerConfigFile.DefaultPath(name => environment.GetValueOrDefault(name)));
        Assert.Equal(expected, DockerConfigKeychain.FromEnvironment(name => environment.GetValueOrDefault(name)).Description);
    }

    [Fact]
    public void The_config_parts_are_exposed()
    {
        var file = DockerConfigFile.Parse("""{"credsStore":"desktop","credHelpers":{"reg.test":"pass"},"auths":{"a.test":{}}}"""u8, "config.json");

        Assert.Equal("desktop", file.CredentialsStore);
        Assert.Equal("pass", file.CredentialHelpers["reg.test"]);
        Assert.True(file.Auths["a.test"].IsAnonymous);
        Assert.Equal("config.json", file.Path);
    }

    internal static string Describe(RegistryCredential credential) =>
        credential.IsAnonymous
            ? "anonymous"
            : string.Join('/', new[] { credential.Username, credential.Password, credential.IdentityToken, credential.RegistryToken }.Select(v => v ?? "-"));
}
