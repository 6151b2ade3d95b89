using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>
/// The credential-helper protocol against a real process: a small bash helper, <c>docker-credential-kanikotest</c>,
/// that keeps what it is given in files, placed first on PATH for the client.
/// </summary>
public sealed class CredentialHelperTests : IDisposable
{
    private const string UniqueSecret = "helper-secret-8c1f0e7a";

    // store: keep stdin under a name derived from its ServerURL; get: print it or "not found"; erase: delete it.
    private const string StoringHelper = """
        #!/bin/bash
        set -u
        store="$(dirname "$0")/store"
        mkdir -p "$store"
        input="$(cat)"
        case "${1:-}" in
          store)
            url="$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')"
            printf '%s' "$input" > "$store/$(printf '%s' "$url" | base64 -w0 | tr '/+' '_-')" ;;
          get)
            file="$store/$(printf '%s' "$input" | base64 -w0 | tr '/+' '_-')"
            if [ -f "$file" ]; then cat "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          erase)
            file="$store/$(printf '%s' "$input" | base64 -w0 | tr '/+' '_-')"
            if [ -f "$file" ]; then rm "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          *) echo "unknown verb ${1:-}" >&2; exit 2 ;;
        esac
        """;

    private readonly TempDirectory _bin = new();
    private readonly string _path;

    public CredentialHelperTests()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/bash"))
        {
            Assert.Skip("the credential helper tests run a bash script");
        }

        WriteHelper("kanikotest", StoringHelper);
        WriteHelper("kanikofail", "#!/bin/bash\ncat >/dev/null\necho 'the keychain is locked' >&2\nexit 3\n");
        WriteHelper("kanikogarbage", $"#!/bin/bash\ncat >/dev/null\necho 'not json {UniqueSecret}'\n");
        WriteHelper("kanikoslow", "#!/bin/bash\nsleep 30\n");
        // Not executable: must count as missing.
        File.WriteAllText(Path.Combine(_bin.Path, "docker-credential-kanikonoexec"), "#!/bin/bash\n");
        _path = _bin.Path + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
    }

    public void Dispose() => _bin.Dispose();

    [Fact]
    public async Task Store_get_and_erase_round_trip()
    {
        var client = Client("kanikotest");
        var ct = TestContext.Current.CancellationToken;

        Assert.True((await client.GetAsync("127.0.0.1:5000", ct)).IsAnonymous);

        await client.StoreAsync("127.0.0.1:5000", "alice", UniqueSecret, ct);
        var credential = await client.GetAsync("127.0.0.1:5000", ct);
        Assert.Equal("alice", credential.Username);
        Assert.Equal(UniqueSecret, credential.Password);
        Assert.Null(credential.IdentityToken);
        Assert.Contains("docker-credential-kanikotest", credential.Source, StringComparison.Ordinal);

        Assert.True((await client.GetAsync("127.0.0.1:5001", ct)).IsAnonymous);

        await client.EraseAsync("127.0.0.1:5000", ct);
        Assert.True((await client.GetAsync("127.0.0.1:5000", ct)).IsAnonymous);
        await client.EraseAsync("127.0.0.1:5000", ct); // erasing what is not there is fine
    }

    [Fact]
    public async Task The_token_user_name_marks_an_identity_token()
    {
        var client = Client("kanikotest");
        var ct = TestContext.Current.CancellationToken;
        await client.StoreAsync("reg.test", CredentialHelperClient.IdentityTokenUsername, "refresh-" + UniqueSecret, ct);

        var credential = await client.GetAsync("reg.test", ct);

        Assert.Null(credential.Username);
        Assert.Null(credential.Password);
        Assert.Equal("refresh-" + UniqueSecret, credential.IdentityToken);
    }

    [Fact]
    public async Task The_config_file_names_the_helper_per_registry_then_the_default_store()
    {
        var ct = TestContext.Current.CancellationToken;
        await Client("kanikotest").StoreAsync("helped.test", "per-registry", "p1", ct);
        await Client("kanikotest").StoreAsync(RegistryHostNames.DockerHubConfigKey, "hub-user", "p2", ct);
        using var dir = new TempDirectory();
        var config = dir.Write("config.json", """
            {
              "credHelpers": { "helped.test": "kanikotest", "broken.test": "kanikofail" },
              "credsStore": "kanikotest",
              "auths": { "inline.test": { "username": "inline", "password": "p3" }, "helped.test": { "username": "ignored", "password": "x" } }
            }
            """);
        var keychain = new DockerConfigKeychain(config, (name, file) => new CredentialHelperClient(name, file, getVariable: Variables));

        Assert.Equal("per-registry", (await keychain.ResolveAsync("helped.test", ct)).Username);
        // Docker Hub is asked for under its index URL, whatever name the image used.
        Assert.Equal("hub-user", (await keychain.ResolveAsync("docker.io", ct)).Username);
        Assert.Equal("hub-user", (await keychain.ResolveAsync("registry-1.docker.io", ct)).Username);
        // The store has nothing for inline.test: the inline entry is used (a documented leniency).
        Assert.Equal("inline", (await keychain.ResolveAsync("inline.test", ct)).Username);
        Assert.True((await keychain.ResolveAsync("nothing.test", ct)).IsAnonymous);

        var error = await Assert.ThrowsAsync<KanikoException>(async () => await keychain.ResolveAsync("broken.test", ct));
        Assert.Equal(DiagnosticCodes.CredentialHelperFailed, error.Code);
        Assert.Equal($"credential helper docker-credential-kanikofail named in {config} failed for broken.test: exit code 3: the keychain is locked", error.Message);
    }

    [Theory]
    [InlineData("kanikonosuch")]
    [InlineData("kanikonoexec")]
    public async Task A_missing_helper_is_a_clear_error(string helper)
    {
        var error = await Assert.ThrowsAsync<KanikoException>(async () => await Client(helper).GetAsync("reg.test", TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.CredentialHelperNotFound, error.Code);
        Assert.Equal($"credential helper docker-credential-{helper} named in /config/config.json was not found on PATH; install it or remove it from that file", error.Message);
    }

    [Fact]
    public async Task An_answer_that_is_not_json_is_an_error_that_does_not_quote_it()
    {
        var error = await Assert.ThrowsAsync<KanikoException>(async () => await Client("kanikogarbage").GetAsync("reg.test", TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.CredentialHelperFailed, error.Code);
        Assert.Contains("not the expected JSON", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UniqueSecret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_helper_that_hangs_is_killed_after_the_timeout()
    {
        var client = new CredentialHelperClient("kanikoslow", "/config/config.json", TimeSpan.FromMilliseconds(300), Variables);

        var error = await Assert.ThrowsAsync<KanikoException>(async () => await client.GetAsync("reg.test", TestContext.Current.CancellationToken));

        Assert.Contains("did not answer get within 0.3 seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_store_never_echoes_the_secret()
    {
        WriteHelper("kanikoecho", "#!/bin/bash\ncat >&2\nexit 1\n");

        var error = await Assert.ThrowsAsync<KanikoException>(async () =>
            await Client("kanikoecho").StoreAsync("reg.test", "u", UniqueSecret, TestContext.Current.CancellationToken));

        Assert.Contains("exit code 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(UniqueSecret, error.ToString(), StringComparison.Ordinal);
    }

    private CredentialHelperClient Client(string helper) => new(helper, "/config/config.json", getVariable: Variables);

    private string? Variables(string name) => name == "PATH" ? _path : Environment.GetEnvironmentVariable(name);

    private void WriteHelper(string name, string script)
    {
        var file = _bin.Write("docker-credential-" + name, script.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
