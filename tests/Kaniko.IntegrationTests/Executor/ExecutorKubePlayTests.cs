using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Kaniko.IntegrationTests.Fixtures;
using Kaniko.Testing;
using Kaniko.Testing.Emulators;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The Pods and the Job of <c>docs/executor.md</c>, read from it and run by <c>podman kube play</c> as a kubelet runs
/// them (<see cref="KubePlay"/>: default capabilities, no privileges): <c>RUN</c> on Debian pushed to a TLS registry
/// with basic auth through a Secret-mounted <c>config.json</c>, compared with the same build outside a pod; the Job's
/// pod twice at once building the classic .NET multi-stage Dockerfile (<c>RUN dotnet restore/publish</c> on the .NET
/// SDK fixture) with one cache repository, the second build of each hitting it, the digest in the termination log;
/// the git context cloned by an init container from a git server on 127.0.0.1; the S3 context with the keys from a
/// Secret (s3rver on 127.0.0.1).
/// </summary>
[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecutorKubePlayTests(RegistryFixture registry, TlsBasicAuthRegistryFixture privateRegistry, S3rverFixture s3)
    : IDisposable, IClassFixture<S3rverFixture>
{
    private const string DocsImage = "<registry>/kaniko/executor:0.1.0";

    private readonly TempDirectory _temp = new("kaniko-kube-tests-");
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_documented_pod_runs_debian_unprivileged_pushes_to_a_tls_registry_with_its_secret_and_matches_the_build_outside()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var context = WriteContext("debian", $"""
            FROM {debian.Reference}
            COPY greeting.txt /opt/app/
            RUN echo built > /opt/app/built.txt && chmod 0640 /opt/app/built.txt && test -f /etc/hostname
            CMD ["cat", "/opt/app/built.txt"]
            """);
        var destination = $"{privateRegistry.Host}/pod/debian:{_id}";
        await using var kube = await KubePlay.StartAsync(Cancellation);
        await kube.CreateVolumeAsync("app-source-" + _id, context, Cancellation);
        await CreateRegistrySecretAsync(kube, privateRegistry.Host, privateRegistry.Credentials);
        var pod = FromDocs("kaniko")
            .Replace("claimName: app-source", "claimName: app-source-" + _id)
            .Replace("<registry>/team/app:1.0", destination)
            .AddArguments("kaniko", "--insecure-registry=" + registry.Host)
            .AddHostPath("kaniko", "registry-ca", privateRegistry.CaCertificatePath, "/kaniko/ssl/certs/ca-certificates.crt", "File", readOnly: true);
        AsKubeletRuns(pod, "kaniko");

        var run = await kube.RunAsync(pod.Replace(DocsImage, image), "kaniko", Cancellation);

        Assert.True(run.ExitCode == 0, run.Log);
        Assert.Contains("RUN isolation: none", run.Log, StringComparison.Ordinal);
        var images = new PodBuiltImages(_temp, registry);
        var inPod = await images.CopyAndUnpackAsync("in-pod", "docker://" + destination, ["--src-creds", privateRegistry.Credentials, "--src-cert-dir", privateRegistry.CertificateDirectory]);
        var outside = await images.BuildOutsideAsync("outside", context);
        Assert.Equal(await PodBuiltImages.TreeAsync(outside.RootFs), await PodBuiltImages.TreeAsync(inPod.RootFs));
        Assert.Equal(PodBuiltImages.ConfigSummary(outside.Config), PodBuiltImages.ConfigSummary(inPod.Config));
        Assert.Equal("built\n", await File.ReadAllTextAsync(Path.Combine(inPod.RootFs, "opt", "app", "built.txt"), Cancellation));
        Assert.Equal(string.Empty, await File.ReadAllTextAsync(Path.Combine(inPod.RootFs, "etc", "hostname"), Cancellation));
        Assert.Equal("/run", new FileInfo(Path.Combine(inPod.RootFs, "var", "run")).LinkTarget);
        Assert.False(Directory.Exists(Path.Combine(inPod.RootFs, "kaniko")));
        Assert.False(Directory.Exists(Path.Combine(inPod.RootFs, "workspace")));
    }

    [Fact]
    public async Task Two_pods_of_the_documented_job_build_the_multi_stage_sdk_sample_at_once_hit_the_shared_cache_and_report_their_digests()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Sdk, Cancellation);
        await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Aspnet, Cancellation);
        var sample = Path.Combine(TestPaths.RepositoryRoot, "samples", "multistage-sdk");
        var contexts = _temp.Combine("contexts");
        Directory.CreateDirectory(contexts);
        await ExternalTools.RunCheckedAsync(
            TestRequirements.Executable("tar"), ["-czf", Path.Combine(contexts, "app.tar.gz"), "-C", sample, "."], TimeSpan.FromMinutes(2), Cancellation);
        await using var kube = await KubePlay.StartAsync(Cancellation);
        await kube.CreateVolumeAsync("build-contexts-" + _id, contexts, Cancellation);
        await CreateRegistrySecretAsync(kube, registry.Host, credentials: null);

        async Task<(PodRun Run, string TerminationLog)> BuildAsync(string round, int index)
        {
            var pod = FromDocs("build-app")
                .Rename($"build-app-{_id}-{round}-{index}")
                .Replace("claimName: build-contexts", "claimName: build-contexts-" + _id)
                .Replace("<registry>/team/app:", $"{registry.Host}/pod/app-{index}-{_id}:")
                .Replace("<registry>/team/build-cache", $"{registry.Host}/pod/build-cache-{_id}")
                .Replace(DocsImage, image)
                .AddArguments("kaniko", "--insecure-registry=" + registry.Host, "--build-arg=REGISTRY=" + registry.Host);
            var terminationLog = AsKubeletRuns(pod, "kaniko");
            return (await kube.RunAsync(pod, "kaniko", Cancellation), terminationLog);
        }

        foreach (var round in new[] { "cold", "warm" })
        {
            var runs = await Task.WhenAll(BuildAsync(round, 0), BuildAsync(round, 1));
            for (var index = 0; index < runs.Length; index++)
            {
                var (run, terminationLog) = runs[index];
                Assert.True(run.ExitCode == 0, run.Log);
                var digest = (await Skopeo.RunCheckedAsync(
                    ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{registry.Host}/pod/app-{index}-{_id}:1.0"], Cancellation)).StandardOutput.Trim();
                Assert.Equal(digest, await File.ReadAllTextAsync(terminationLog, Cancellation));
                if (round == "warm")
                {
                    Assert.Contains("cache hit", run.Log, StringComparison.Ordinal);
                    Assert.DoesNotContain("cache miss", run.Log, StringComparison.Ordinal);
                }
            }

            if (round == "cold")
            {
                // The pods start a few seconds apart: the later one may already find the earlier one's RUN layers in
                // the shared cache repository, so only one of them surely runs its steps.
                Assert.Contains(runs, r => r.Run.Log.Contains("RUN isolation: none", StringComparison.Ordinal));
            }
        }

        var built = await new PodBuiltImages(_temp, registry).CopyAndUnpackAsync("sdk", $"docker://{registry.Host}/pod/app-1-{_id}:latest", ["--src-tls-verify=false"]);
        Assert.True(File.Exists(Path.Combine(built.RootFs, "app", "MultistageSdk.dll")));
    }

    [Fact]
    public async Task The_documented_git_pod_clones_in_its_init_container_and_builds_the_checkout()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var gitImage = await GitImageAsync();
        var work = WriteContext("git", $"FROM {debian.Reference}\nCOPY greeting.txt /opt/app/\n");
        await TestGit.RunAsync(work, Cancellation, "init", "--quiet", "--initial-branch=main");
        await TestGit.RunAsync(work, Cancellation, "add", ".");
        await TestGit.RunAsync(work, Cancellation, "commit", "--quiet", "-m", "app");
        var repositories = _temp.Combine("repositories");
        Directory.CreateDirectory(repositories);
        await TestGit.RunAsync(_temp.Path, Cancellation, "clone", "--quiet", "--bare", work, Path.Combine(repositories, "app.git"));
        using var daemon = await GitDaemon.StartAsync(TestGit.Executable, repositories, Cancellation);
        await using var kube = await KubePlay.StartAsync(Cancellation);
        await CreateRegistrySecretAsync(kube, registry.Host, credentials: null);
        var destination = $"{registry.Host}/pod/git:{_id}";
        var pod = FromDocs("kaniko-git")
            .Replace("<registry>/tools/git:2.39", gitImage)
            .Replace("<git-url>", $"git://127.0.0.1:{daemon.Port}/app.git")
            .Replace("<registry>/team/app:1.0", destination)
            .Replace(DocsImage, image)
            .AddArguments("kaniko", "--insecure-registry=" + registry.Host);
        AsKubeletRuns(pod, "kaniko");

        var run = await kube.RunAsync(pod, "kaniko", Cancellation);

        Assert.True(run.ExitCode == 0, run.Log);
        var built = await new PodBuiltImages(_temp, registry).CopyAndUnpackAsync("git", "docker://" + destination, ["--src-tls-verify=false"]);
        Assert.Equal("hello from a pod\n", await File.ReadAllTextAsync(Path.Combine(built.RootFs, "opt", "app", "greeting.txt"), Cancellation));
    }

    [Fact]
    public async Task The_documented_restricted_pod_builds_copy_only_and_says_what_run_and_a_read_only_root_need()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var copyOnly = WriteContext("restricted-copy", $"FROM {debian.Reference}\nCOPY greeting.txt /\n");
        var withRun = WriteContext("restricted-run", $"FROM {debian.Reference}\nRUN echo hi > /hi\n");
        await using var kube = await KubePlay.StartAsync(Cancellation);
        await kube.CreateVolumeAsync("copy-only-" + _id, copyOnly, Cancellation);
        await kube.CreateVolumeAsync("with-run-" + _id, withRun, Cancellation);
        await CreateRegistrySecretAsync(kube, registry.Host, credentials: null);

        Task<PodRun> RunAsync(string name, string context, Func<PodManifest, PodManifest>? change = null)
        {
            var pod = FromDocs("kaniko-restricted")
                .Rename($"kaniko-{name}-{_id}")
                .Replace("claimName: app-source", $"claimName: {context}-{_id}")
                .Replace("<registry>/team/app:1.0", $"{registry.Host}/pod/{name}:{_id}")
                .Replace(DocsImage, image)
                .AddArguments("kaniko", "--insecure-registry=" + registry.Host);
            AsKubeletRuns(change is null ? pod : change(pod), "kaniko");
            return kube.RunAsync(pod, "kaniko", Cancellation);
        }

        var copy = await RunAsync("restricted-copy", "copy-only");
        Assert.True(copy.ExitCode == 0, copy.Log);

        var run = await RunAsync("restricted-run", "with-run");
        Assert.True(run.ExitCode == 3, run.Log);
        Assert.Contains("KANIKO4470", run.Log, StringComparison.Ordinal);
        Assert.Contains("runs as uid 1000", run.Log, StringComparison.Ordinal);

        // Without the emptyDir at /kaniko/tmp, the read-only root leaves the build no folder for its files.
        var noTmp = await RunAsync("restricted-no-tmp", "copy-only", pod => pod.Replace("        - name: tmp\n          mountPath: /kaniko/tmp\n", string.Empty));
        Assert.True(noTmp.ExitCode == 3, noTmp.Log);
        Assert.Contains("KANIKO4471", noTmp.Log, StringComparison.Ordinal);
        Assert.Contains("'/kaniko/tmp' is not writable", noTmp.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_s3_pod_fetches_its_context_with_the_keys_of_its_secret()
    {
        var image = await ExecutorPodImage.GetAsync(registry, Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        var context = WriteContext("s3", $"FROM {debian.Reference}\nCOPY greeting.txt /opt/app/\n");
        var archive = _temp.Combine("app.tar.gz");
        await ExternalTools.RunCheckedAsync(TestRequirements.Executable("tar"), ["-czf", archive, "-C", context, "."], TimeSpan.FromMinutes(2), Cancellation);
        var bucket = "contexts-" + _id;
        await UploadAsync(bucket, "contexts/app.tar.gz", archive);
        await using var kube = await KubePlay.StartAsync(Cancellation);
        await CreateRegistrySecretAsync(kube, registry.Host, credentials: null);
        await kube.CreateSecretAsync(
            "s3-build-contexts-" + _id,
            new Dictionary<string, string> { ["access-key-id"] = S3rverFixture.AccessKeyId, ["secret-access-key"] = S3rverFixture.SecretAccessKey },
            SecretUse.Environment,
            Cancellation);
        var destination = $"{registry.Host}/pod/s3:{_id}";
        var pod = FromDocs("kaniko-s3")
            .Replace("name: s3-build-contexts\n", $"name: s3-build-contexts-{_id}\n")
            .Replace("s3://my-bucket/", $"s3://{bucket}/")
            .Replace("<registry>/team/app:1.0", destination)
            .Replace(DocsImage, image)
            .AddArguments("kaniko", "--insecure-registry=" + registry.Host)
            .AddEnvironment("kaniko", "S3_ENDPOINT", s3.BaseAddress)
            .AddEnvironment("kaniko", "S3_FORCE_PATH_STYLE", "true");
        AsKubeletRuns(pod, "kaniko");

        var run = await kube.RunAsync(pod, "kaniko", Cancellation);

        Assert.True(run.ExitCode == 0, run.Log);
        var built = await new PodBuiltImages(_temp, registry).CopyAndUnpackAsync("s3", "docker://" + destination, ["--src-tls-verify=false"]);
        Assert.Equal("hello from a pod\n", await File.ReadAllTextAsync(Path.Combine(built.RootFs, "opt", "app", "greeting.txt"), Cancellation));
    }

    private async Task UploadAsync(string bucket, string key, string file)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = s3.BaseAddress,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            // s3rver predates the SDK's default request checksums (aws-chunked uploads with trailers).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        };
        using var client = new AmazonS3Client(new BasicAWSCredentials(S3rverFixture.AccessKeyId, S3rverFixture.SecretAccessKey), config);
        await client.PutBucketAsync(bucket, Cancellation);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = file, UseChunkEncoding = false }, Cancellation);
    }

    private PodManifest FromDocs(string name) =>
        PodManifest.FromDocs(name).Rename(name + "-" + _id).Replace("secretName: regcred", "secretName: regcred-" + _id);

    /// <summary>The kubelet's files for the pod: a termination log (returned) and a service-account token.</summary>
    private string AsKubeletRuns(PodManifest pod, string container)
    {
        var files = _temp.Combine("kubelet-" + pod.Name);
        var serviceAccount = Path.Combine(files, "serviceaccount");
        Directory.CreateDirectory(serviceAccount);
        File.WriteAllText(Path.Combine(serviceAccount, "token"), "not-a-real-token");
        File.WriteAllText(Path.Combine(serviceAccount, "namespace"), "builds");
        var terminationLog = Path.Combine(files, "termination-log");
        File.WriteAllText(terminationLog, string.Empty);
        File.SetUnixFileMode(terminationLog, (UnixFileMode)0x1B6); // 0666, as the kubelet makes it
        pod.AsKubeletRuns(container, terminationLog, serviceAccount);
        return terminationLog;
    }

    /// <summary>The documented <c>regcred</c> Secret: <c>config.json</c> with the login for <paramref name="host"/>, if any.</summary>
    private Task CreateRegistrySecretAsync(KubePlay kube, string host, string? credentials)
    {
        var auths = new JsonObject();
        if (credentials is not null)
        {
            auths[host] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)) };
        }

        var config = new JsonObject { ["auths"] = auths }.ToJsonString();
        return kube.CreateSecretAsync("regcred-" + _id, new Dictionary<string, string> { ["config.json"] = config }, SecretUse.Volume, Cancellation);
    }

    private string WriteContext(string name, string dockerfile)
    {
        var context = _temp.Combine("context-" + name);
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile + "\n");
        File.WriteAllText(Path.Combine(context, "greeting.txt"), "hello from a pod\n");
        return context;
    }

    /// <summary>
    /// An image whose entrypoint is <c>git</c>, standing in for <c>alpine/git</c>: the Debian fixture plus this
    /// machine's <c>git</c> (a Debian 12 program, whose libraries, zlib and PCRE2, Debian's minimal system holds).
    /// </summary>
    private static async Task<string> GitImageAsync() =>
        await DerivedImage.GetAsync("git", await BaseImages.DebianLayoutAsync(Cancellation), TestGit.Executable, "/usr/bin/git", Cancellation);
}
