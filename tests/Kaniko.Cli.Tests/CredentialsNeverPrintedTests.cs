using System.Text;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>
/// Everything an authenticated build prints or writes, when it succeeds and when it fails, is searched for the
/// password and for every encoding of it that a config file or an Authorization header carries. The tool runs as its
/// own process with its own DOCKER_CONFIG, exactly as a user runs it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BasicAuthCredentialsNeverPrintedTests(TlsBasicAuthRegistryFixture registry)
    : IClassFixture<TlsBasicAuthRegistryFixture>, IDisposable
{
    private readonly CredentialLeakCheck _check = new("secrets/");

    public void Dispose() => _check.Dispose();

    [Fact]
    public Task A_successful_push_prints_no_secret() =>
        _check.SuccessfulBuildLeaksNothingAsync(registry.Host, registry.Username, registry.Password, registry.CaCertificatePath);

    [Fact]
    public Task A_refused_login_prints_no_secret() =>
        _check.RefusedBuildLeaksNothingAsync(registry.Host, registry.Username, registry.CaCertificatePath);
}

/// <summary>The same checks against a registry that uses the Bearer token flow (the Docker Hub setup).</summary>
[Trait("Category", "Integration")]
public sealed class TokenAuthCredentialsNeverPrintedTests(TokenAuthRegistryFixture registry)
    : IClassFixture<TokenAuthRegistryFixture>, IDisposable
{
    private readonly CredentialLeakCheck _check = new(TokenAuthRegistryFixture.PrivatePrefix);

    public void Dispose() => _check.Dispose();

    [Fact]
    public Task A_successful_push_prints_no_secret() =>
        _check.SuccessfulBuildLeaksNothingAsync(registry.Host, registry.Username, registry.Password, registry.CaCertificatePath);

    [Fact]
    public Task A_refused_login_prints_no_secret() =>
        _check.RefusedBuildLeaksNothingAsync(registry.Host, registry.Username, registry.CaCertificatePath);
}

/// <summary>Runs <c>dotnet kaniko build</c> against an authenticated registry and searches all it produced.</summary>
internal sealed class CredentialLeakCheck(string repositoryPrefix) : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-secrets-");

    public void Dispose() => _temp.Dispose();

    public async Task SuccessfulBuildLeaksNothingAsync(string host, string user, string password, string caPath)
    {
        var run = await BuildAsync(host, user, password, caPath, "ok");

        Assert.True(run.ExitCode == 0, $"the build failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        Assert.Contains("sha256:", run.Output, StringComparison.Ordinal);
        AssertNoSecret(run, user, password);
    }

    public async Task RefusedBuildLeaksNothingAsync(string host, string user, string caPath)
    {
        var wrongPassword = "wrong-" + Guid.NewGuid().ToString("N");

        var run = await BuildAsync(host, user, wrongPassword, caPath, "refused");

        Assert.NotEqual(0, run.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(run.Error), "a refused login must say why");
        AssertNoSecret(run, user, wrongPassword);
    }

    private async Task<Run> BuildAsync(string host, string user, string password, string caPath, string name)
    {
        var context = Directory.CreateDirectory(_temp.Combine(name, "context")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nARG GREETING=hello\nCOPY greeting.txt /greeting.txt\nLABEL purpose=secrets-test\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(context, "greeting.txt"), "hello\n", TestContext.Current.CancellationToken);

        var dockerConfig = Directory.CreateDirectory(_temp.Combine(name, "docker")).FullName;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password));
        await File.WriteAllTextAsync(Path.Combine(dockerConfig, "config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\"" + auth + "\"}}}", TestContext.Current.CancellationToken);

        var outputs = Directory.CreateDirectory(_temp.Combine(name, "outputs")).FullName;
        var (exitCode, output, error) = await CliProcess.RunAsync(
            [
                "build",
                "--context", context,
                "--destination", $"{host}/{repositoryPrefix}{name}:1",
                "--registry-certificate", $"{host}={caPath}",
                "--digest-file", Path.Combine(outputs, "digest"),
                "--image-name-with-digest-file", Path.Combine(outputs, "name-digest"),
                "--image-name-tag-with-digest-file", Path.Combine(outputs, "name-tag-digest"),
                "--tar-path", Path.Combine(outputs, "image.tar"),
                "--cache-dir", Path.Combine(outputs, "cache"),
                "--push-retry", "0",
                "--verbosity", "debug",
            ],
            new Dictionary<string, string> { ["DOCKER_CONFIG"] = dockerConfig });
        return new Run(exitCode, output, error, outputs);
    }

    private static void AssertNoSecret(Run run, string user, string password)
    {
        var secrets = new[]
        {
            password,
            Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(password)),
        };
        var places = new List<(string Where, byte[] Bytes)>
        {
            ("standard output", Encoding.UTF8.GetBytes(run.Output)),
            ("standard error", Encoding.UTF8.GetBytes(run.Error)),
        };
        places.AddRange(Directory.EnumerateFiles(run.OutputDirectory, "*", SearchOption.AllDirectories)
            .Select(file => (file, File.ReadAllBytes(file))));

        foreach (var (where, bytes) in places)
        {
            foreach (var secret in secrets)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"a secret appears in {where}");
            }
        }
    }

    private sealed record Run(int ExitCode, string Output, string Error, string OutputDirectory);
}
