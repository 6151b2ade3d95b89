using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.IntegrationTests.Fixtures;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The executor image of <c>images/executor</c>, built by <c>scripts/build-executor-image.sh</c> into an OCI layout,
/// read back with skopeo and umoci, and run from its unpacked filesystem in a sandbox as a Kubernetes Job runs it:
/// its entrypoint builds a COPY-only Dockerfile from <c>/workspace</c> and pushes it to a TLS registry with the
/// credentials of <c>/kaniko/.docker/config.json</c> and the CA bundle of <c>SSL_CERT_FILE</c>.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecutorImageTests(RegistryFixture registry, TlsBasicAuthRegistryFixture privateRegistry) : IDisposable
{
    /// <summary>A bound on the pulled size, not a timing: the image is about 42 MiB, most of it the tool itself.</summary>
    private const long MaximumCompressedBytes = 64L * 1024 * 1024;

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private readonly TempDirectory _temp = new("kaniko-executor-");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_script_builds_a_scratch_image_whose_entrypoint_builds_and_pushes_with_mounted_credentials()
    {
        var layout = await BuildExecutorImageAsync();

        using var config = await SkopeoJsonAsync("inspect", "--config", $"oci:{layout}:test");
        var settings = config.RootElement.GetProperty("config");
        Assert.Equal(["/kaniko/executor", "build"], settings.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/workspace", settings.GetProperty("WorkingDir").GetString());
        var environment = settings.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("DOCKER_CONFIG=/kaniko/.docker", environment);
        Assert.Contains("SSL_CERT_FILE=/kaniko/ssl/certs/ca-certificates.crt", environment);
        Assert.Contains("SSL_CERT_DIR=/kaniko/ssl/certs", environment);

        using var manifest = await SkopeoJsonAsync("inspect", "--raw", $"oci:{layout}:test");
        var compressed = manifest.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("size").GetInt64());
        Assert.InRange(compressed, 1, MaximumCompressedBytes);

        var rootFs = await UnpackAsync(layout);
        Assert.Equal(
            ["kaniko", "lib64", "usr", "workspace"],
            Directory.EnumerateFileSystemEntries(rootFs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.Combine(rootFs, "kaniko", "executor")));
        foreach (var library in new[] { "libc.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libssl.so.3", "libcrypto.so.3" })
        {
            Assert.True(File.Exists(Path.Combine(rootFs, "kaniko", "lib", library)), library + " is missing");
        }

        Assert.True(new FileInfo(Path.Combine(rootFs, "kaniko", "ssl", "certs", "ca-certificates.crt")).Length > 0);
        foreach (var tool in new[] { "setsid", "setpriv", "unshare", "env" })
        {
            Assert.True(File.Exists(Path.Combine(rootFs, "kaniko", "bin", tool)), tool + " is missing");
        }

        foreach (var folder in new[] { "tmp", "cache" })
        {
            Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(Path.Combine(rootFs, "kaniko", folder))); // 01777
        }

        var sandbox = AvailableSandbox.Create();
        var version = await SandboxRun.RunAsync(sandbox, new SandboxSpec(rootFs, ["/kaniko/executor", "--version"], environment, "", "/workspace"), Cancellation);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", Assert.Single(version.Output));

        Assert.Contains("KANIKO_ISOLATION=none", environment);
        await RunEntrypointBuildAsync(sandbox, rootFs, settings, environment);
    }

    [Fact]
    public async Task The_debug_target_adds_a_busybox_shell_that_runs_the_tool()
    {
        var busybox = await Kaniko.Testing.BaseImages.PushBusyboxAsync(registry, Cancellation);
        var layout = await BuildExecutorImageAsync("--debug", "--build-arg", "BUSYBOX=" + busybox.Reference);

        var rootFs = await UnpackAsync(layout);
        using var config = await SkopeoJsonAsync("inspect", "--config", $"oci:{layout}:test");
        var environment = config.RootElement.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        var spec = new SandboxSpec(rootFs, ["/busybox/sh", "-c", "cd /kaniko && ls lib | wc -l && executor --version"], environment, "", "/workspace");
        var run = await SandboxRun.RunAsync(AvailableSandbox.Create(), spec, Cancellation);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("9", run.Output[0].Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Output[1]);
        Assert.Contains(environment, e => e.StartsWith("PATH=", StringComparison.Ordinal) && e.EndsWith(":/busybox", StringComparison.Ordinal));
    }

    /// <summary>Publishes (or takes the cached publish) and runs the script; returns the OCI layout, tag <c>test</c>.</summary>
    private async Task<string> BuildExecutorImageAsync(params string[] options)
    {
        var runtimeDeps = await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.RuntimeDeps, Cancellation);
        var publish = await ExecutorPublish.GetAsync(_temp.Combine("publish"), Cancellation);
        var layout = _temp.Combine("oci");
        var script = Path.Combine(TestPaths.RepositoryRoot, "scripts", "build-executor-image.sh");
        var build = await ExternalTools.RunAsync(
            "bash",
            [
                script, "--publish-dir", publish, "--runtime-deps", runtimeDeps.Reference,
                "--insecure-registry", registry.Host, "--cache-dir", _temp.Combine("cache"),
                // Without the default provenance: umoci refuses a layout tag whose index holds two manifests (the
                // image and its attestation manifest) as ambiguous.
                "--no-push", "--destination", "kaniko/executor:test", "--oci-layout-path", layout, "--provenance=false", .. options,
            ],
            BuildTimeout,
            Cancellation);
        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        return layout;
    }

    /// <summary>
    /// Runs the image's entrypoint with kaniko's arguments, the context mounted at <c>/workspace</c>, and checks what
    /// it pushed. The registry is reached over TLS with the test CA appended to the image's CA bundle, and with
    /// credentials from the config file a Kubernetes Secret would mount.
    /// </summary>
    private async Task RunEntrypointBuildAsync(ISandbox sandbox, string rootFs, JsonElement settings, IReadOnlyList<string> environment)
    {
        var bundle = Path.Combine(rootFs, "kaniko", "ssl", "certs", "ca-certificates.crt");
        await File.AppendAllTextAsync(bundle, "\n" + await File.ReadAllTextAsync(privateRegistry.CaCertificatePath, Cancellation), Cancellation);
        var dockerConfig = Path.Combine(rootFs, "kaniko", ".docker");
        Directory.CreateDirectory(dockerConfig);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(privateRegistry.Credentials));
        var configJson = new JsonObject { ["auths"] = new JsonObject { [privateRegistry.Host] = new JsonObject { ["auth"] = auth } } };
        await File.WriteAllTextAsync(Path.Combine(dockerConfig, "config.json"), configJson.ToJsonString(), Cancellation);

        var context = _temp.Combine("context");
        Directory.CreateDirectory(context);
        await File.WriteAllTextAsync(Path.Combine(context, "greeting.txt"), "hello from the executor\n", Cancellation);
        var debian = await Kaniko.Testing.BaseImages.PushDebianAsync(registry, Cancellation);
        await File.WriteAllTextAsync(
            Path.Combine(context, "Dockerfile"),
            $"FROM {debian.Reference}\nCOPY greeting.txt /\nRUN cat /greeting.txt > /from-run.txt && ls /kaniko > /kaniko-seen.txt 2>&1; true\nCMD [\"cat\", \"/from-run.txt\"]\n",
            Cancellation);

        var destination = $"{privateRegistry.Host}/executor/hello:{Guid.NewGuid().ToString("N")[..8]}";
        string[] args =
        [
            .. settings.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!),
            "--context=dir:///workspace", "--destination=" + destination, "--tar-path=/workspace/out/image.tar",
            "--insecure-registry=" + registry.Host,
        ];
        var spec = new SandboxSpec(rootFs, args, environment, "", "/workspace")
        {
            BindMounts = [new SandboxBindMount(context, "/workspace", ReadOnly: false)],
        };

        var run = await SandboxRun.RunAsync(sandbox, spec, Cancellation);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.Output, line => line == "Pushed " + destination);
        Assert.True(File.Exists(Path.Combine(context, "out", "image.tar")));
        var inspect = await Skopeo.RunCheckedAsync(
            ["inspect", "--config", "--creds", privateRegistry.Credentials, "--cert-dir", privateRegistry.CertificateDirectory, "docker://" + destination],
            Cancellation);
        using var pushed = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(["cat", "/from-run.txt"], pushed.RootElement.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(run.Lines, line => line.Text.Contains("RUN isolation: none", StringComparison.Ordinal));

        // The RUN step ran in kaniko's mode, on / of the container: its layer holds what it wrote and nothing of /kaniko.
        var layout = _temp.Combine("pushed");
        await Skopeo.RunCheckedAsync(
            ["copy", "--quiet", "--src-creds", privateRegistry.Credentials, "--src-cert-dir", privateRegistry.CertificateDirectory, "docker://" + destination, $"oci:{layout}:pushed"],
            Cancellation);
        var pushedRootFs = await UnpackAsync(layout, "pushed");
        Assert.Equal("hello from the executor\n", await File.ReadAllTextAsync(Path.Combine(pushedRootFs, "from-run.txt"), Cancellation));
        Assert.False(Directory.Exists(Path.Combine(pushedRootFs, "kaniko")));
    }

    private Task<string> UnpackAsync(string layout, string tag = "test") =>
        Umoci.UnpackAsync(layout, tag, _temp.Combine("bundle-" + tag), Cancellation);

    private static async Task<JsonDocument> SkopeoJsonAsync(params string[] arguments) =>
        JsonDocument.Parse((await Skopeo.RunCheckedAsync(arguments, Cancellation)).StandardOutput);
}
