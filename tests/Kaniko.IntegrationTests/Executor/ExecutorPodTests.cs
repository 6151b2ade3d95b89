using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaniko.IntegrationTests.Fixtures;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The executor image run the way a cluster runs it (<see cref="PodmanPod"/>: an ordinary, unprivileged pod), with
/// kaniko's arguments: <c>RUN</c> on the Debian and .NET SDK fixtures in kaniko's mode, the digest written to the
/// bind-mounted termination log, credentials from a Secret-mounted <c>config.json</c> for a TLS registry, a cache
/// repository shared by two pods building at once, and the failures of a non-root user and of a read-only root.
/// Images built in the pod are compared with the same build outside it.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecutorPodTests(RegistryFixture registry, TlsBasicAuthRegistryFixture privateRegistry) : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-pod-tests-");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_on_debian_in_an_unprivileged_pod_pushes_with_a_secret_and_matches_the_build_outside_the_pod()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var context = WriteContext("debian", $"""
            FROM {debian.Reference}
            COPY greeting.txt /opt/app/
            RUN echo built > /opt/app/built.txt && chmod 0640 /opt/app/built.txt && test -f /etc/hostname
            CMD ["cat", "/opt/app/built.txt"]
            """);
        var secret = WriteDockerConfigSecret();
        var destination = $"{privateRegistry.Host}/pod/debian:{Guid.NewGuid().ToString("N")[..8]}";
        using var pod = new PodmanPod("build-debian");

        var run = await pod.RunAsync(
            image,
            ["--context=dir:///workspace", "--destination=" + destination, "--insecure-registry=" + registry.Host, "--digest-file=/dev/termination-log"],
            new PodSpec
            {
                Mounts =
                [
                    new PodMount(context, "/workspace"),
                    new PodMount(secret, "/kaniko/.docker", ReadOnly: true),
                    new PodMount(privateRegistry.CaCertificatePath, "/kaniko/ssl/certs/ca-certificates.crt", ReadOnly: true),
                ],
            },
            Cancellation);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("RUN isolation: none", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        var digest = (await Skopeo.RunCheckedAsync(
            ["inspect", "--format", "{{.Digest}}", "--creds", privateRegistry.Credentials, "--cert-dir", privateRegistry.CertificateDirectory, "docker://" + destination],
            Cancellation)).StandardOutput.Trim();
        Assert.Equal(digest, await File.ReadAllTextAsync(pod.TerminationLog, Cancellation));

        var inPod = await CopyAndUnpackAsync("in-pod", "docker://" + destination, ["--src-creds", privateRegistry.Credentials, "--src-cert-dir", privateRegistry.CertificateDirectory]);
        var outside = await BuildOutsideAsync("outside", context);
        Assert.Equal(await TreeAsync(outside.RootFs), await TreeAsync(inPod.RootFs));
        Assert.Equal(ConfigSummary(outside.Config), ConfigSummary(inPod.Config));
        Assert.Equal("built\n", await File.ReadAllTextAsync(Path.Combine(inPod.RootFs, "opt", "app", "built.txt"), Cancellation));
        Assert.Equal(string.Empty, await File.ReadAllTextAsync(Path.Combine(inPod.RootFs, "etc", "hostname"), Cancellation));
        Assert.Equal("/run", new FileInfo(Path.Combine(inPod.RootFs, "var", "run")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(inPod.RootFs, "kaniko")));
        Assert.False(Directory.Exists(Path.Combine(inPod.RootFs, "workspace")));
    }

    [Fact]
    public async Task Two_pods_build_the_multi_stage_sdk_sample_at_once_and_their_second_builds_hit_the_shared_cache()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Sdk, Cancellation);
        await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Aspnet, Cancellation);
        var cacheRepository = $"{registry.Host}/pod/shared-cache-{Guid.NewGuid().ToString("N")[..8]}";
        var contexts = new[] { "first", "second" }.Select(name => CopySample(name)).ToList();

        async Task<ToolResult> BuildAsync(int pod)
        {
            using var runner = new PodmanPod("build-sdk-" + pod);
            return await runner.RunAsync(
                image,
                [
                    "--context=dir:///workspace", "--build-arg=REGISTRY=" + registry.Host, "--insecure-registry=" + registry.Host,
                    $"--destination={registry.Host}/pod/sdk-{pod}:1", "--cache=true", "--cache-repo=" + cacheRepository,
                ],
                new PodSpec { Mounts = [new PodMount(contexts[pod], "/workspace", ReadOnly: true)] },
                Cancellation);
        }

        var cold = await Task.WhenAll(BuildAsync(0), BuildAsync(1));
        foreach (var run in cold)
        {
            Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        }

        var warm = await Task.WhenAll(BuildAsync(0), BuildAsync(1));
        foreach (var run in warm)
        {
            Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
            var output = run.StandardOutput + run.StandardError;
            Assert.Contains("cache hit", output, StringComparison.Ordinal);
            Assert.DoesNotContain("cache miss", output, StringComparison.Ordinal);
        }

        var built = await CopyAndUnpackAsync("sdk", $"docker://{registry.Host}/pod/sdk-1:1", ["--src-tls-verify=false"]);
        Assert.True(File.Exists(Path.Combine(built.RootFs, "app", "MultistageSdk.dll")));
    }

    [Fact]
    public async Task A_non_root_pod_builds_copy_only_dockerfiles_and_says_what_run_and_a_read_only_root_need()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var copyOnly = WriteContext("copy-only", $"FROM {debian.Reference}\nCOPY greeting.txt /\n");
        var withRun = WriteContext("with-run", $"FROM {debian.Reference}\nRUN echo hi > /hi\n");
        string[] Args(string name) => ["--context=dir:///workspace", "--insecure-registry=" + registry.Host, $"--destination={registry.Host}/pod/{name}:1"];
        using var pod = new PodmanPod("build-restricted");

        var nonRootCopy = await pod.RunAsync(image, Args("non-root-copy"), new PodSpec { RunAsUser = 1000, Mounts = [new PodMount(copyOnly, "/workspace", ReadOnly: true)] }, Cancellation);
        Assert.True(nonRootCopy.ExitCode == 0, nonRootCopy.StandardOutput + nonRootCopy.StandardError);

        var nonRootRun = await pod.RunAsync(image, Args("non-root-run"), new PodSpec { RunAsUser = 1000, Mounts = [new PodMount(withRun, "/workspace", ReadOnly: true)] }, Cancellation);
        Assert.Equal(3, nonRootRun.ExitCode);
        Assert.Contains("KANIKO4470", nonRootRun.StandardError, StringComparison.Ordinal);
        Assert.Contains("runs as uid 1000", nonRootRun.StandardError, StringComparison.Ordinal);

        var readOnly = await pod.RunAsync(image, Args("read-only"), new PodSpec { ReadOnlyRootFilesystem = true, Mounts = [new PodMount(copyOnly, "/workspace", ReadOnly: true)] }, Cancellation);
        Assert.Equal(3, readOnly.ExitCode);
        Assert.Contains("KANIKO4471", readOnly.StandardError, StringComparison.Ordinal);
        Assert.Contains("'/kaniko/tmp' is not writable", readOnly.StandardError, StringComparison.Ordinal);

        // With the two folders on volumes (emptyDir), as docs/executor.md says, the read-only pod builds.
        var volumes = new PodSpec
        {
            ReadOnlyRootFilesystem = true,
            Mounts = [new PodMount(copyOnly, "/workspace", ReadOnly: true), new PodMount(EmptyDir("tmp"), "/kaniko/tmp"), new PodMount(EmptyDir("cache"), "/kaniko/cache")],
        };
        var readOnlyWithVolumes = await pod.RunAsync(image, Args("read-only-volumes"), volumes, Cancellation);
        Assert.True(readOnlyWithVolumes.ExitCode == 0, readOnlyWithVolumes.StandardOutput + readOnlyWithVolumes.StandardError);
    }

    [Fact]
    public async Task Automatic_isolation_in_an_unprivileged_pod_falls_back_to_chroot_mode_and_says_so()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var context = WriteContext("chroot", $"FROM {debian.Reference}\nRUN echo from-chroot > /made-here && test -c /dev/null\n");
        using var pod = new PodmanPod("build-chroot");

        var run = await pod.RunAsync(
            image,
            ["--context=dir:///workspace", "--isolation=auto", "--insecure-registry=" + registry.Host, $"--destination={registry.Host}/pod/chroot:1"],
            new PodSpec { Mounts = [new PodMount(context, "/workspace", ReadOnly: true)] },
            Cancellation);

        var output = run.StandardOutput + run.StandardError;
        Assert.True(run.ExitCode == 0, output);
        Assert.Contains("using chroot mode", output, StringComparison.Ordinal);
        var built = await CopyAndUnpackAsync("chroot", $"docker://{registry.Host}/pod/chroot:1", ["--src-tls-verify=false"]);
        Assert.Equal("from-chroot\n", await File.ReadAllTextAsync(Path.Combine(built.RootFs, "made-here"), Cancellation));
    }

    private string WriteContext(string name, string dockerfile)
    {
        var context = _temp.Combine("context-" + name);
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile + "\n");
        File.WriteAllText(Path.Combine(context, "greeting.txt"), "hello from a pod\n");
        return context;
    }

    private string CopySample(string name)
    {
        var source = Path.Combine(TestPaths.RepositoryRoot, "samples", "multistage-sdk");
        var context = _temp.Combine("sample-" + name);
        Directory.CreateDirectory(context);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(context, Path.GetFileName(file)));
        }

        return context;
    }

    private string EmptyDir(string name)
    {
        var directory = _temp.Combine("empty-dir-" + name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The folder a <c>kubernetes.io/dockerconfigjson</c> Secret mounts: <c>config.json</c> with the TLS registry's login.</summary>
    private string WriteDockerConfigSecret()
    {
        var secret = _temp.Combine("secret");
        Directory.CreateDirectory(secret);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(privateRegistry.Credentials));
        var config = new JsonObject { ["auths"] = new JsonObject { [privateRegistry.Host] = new JsonObject { ["auth"] = auth } } };
        File.WriteAllText(Path.Combine(secret, "config.json"), config.ToJsonString());
        return secret;
    }

    /// <summary>The same build with the published executor on this machine (bubblewrap or chroot mode, not in a pod).</summary>
    private async Task<(string RootFs, JsonElement Config)> BuildOutsideAsync(string name, string context)
    {
        var publish = await ExecutorPublish.GetAsync(_temp.Combine("publish"), Cancellation);
        var layout = _temp.Combine("layout-" + name);
        var build = await ExternalTools.RunAsync(
            Path.Combine(publish, "dotnet-kaniko"),
            // Without the default provenance: umoci takes a layout tag whose index also holds an attestation manifest as ambiguous.
            ["build", "--context", context, "--no-push", "--destination", "outside:1", "--oci-layout-path", layout, "--insecure-registry", registry.Host,
             "--cache-dir", _temp.Combine("outside-cache"), "--isolation", "auto", "--provenance=false"],
            TimeSpan.FromMinutes(10),
            Cancellation,
            environment: new Dictionary<string, string?> { ["KANIKO_ISOLATION"] = null });
        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        return await UnpackLayoutAsync(name, layout, "1");
    }

    private async Task<(string RootFs, JsonElement Config)> CopyAndUnpackAsync(string name, string source, string[] options)
    {
        var layout = _temp.Combine("layout-" + name);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", .. options, source, $"oci:{layout}:copied"], Cancellation);
        return await UnpackLayoutAsync(name, layout, "copied");
    }

    private async Task<(string RootFs, JsonElement Config)> UnpackLayoutAsync(string name, string layout, string tag)
    {
        using var config = JsonDocument.Parse((await Skopeo.RunCheckedAsync(["inspect", "--config", $"oci:{layout}:{tag}"], Cancellation)).StandardOutput);
        var rootFs = await Umoci.UnpackAsync(layout, tag, _temp.Combine("bundle-" + name), Cancellation);
        return (rootFs, config.RootElement.Clone());
    }

    /// <summary>Every path with its type, mode, owner, size and link target (times differ between any two builds).</summary>
    private static async Task<string> TreeAsync(string rootFs)
    {
        var find = await ExternalTools.RunCheckedAsync(
            TestRequirements.Executable("find"), [rootFs, "-mindepth", "1", "-printf", "%P %y %m %U:%G %s %l\n"], TimeSpan.FromMinutes(2), Cancellation);
        return string.Join('\n', find.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    /// <summary>The settings a container gets and the steps' history, without the times.</summary>
    private static string ConfigSummary(JsonElement config)
    {
        var settings = config.GetProperty("config");
        var history = config.GetProperty("history").EnumerateArray().Select(h => h.TryGetProperty("created_by", out var by) ? by.GetString() : null);
        return string.Join('\n', settings.GetRawText(), config.GetProperty("rootfs").GetProperty("diff_ids").GetArrayLength(), string.Join('|', history));
    }
}
