using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The executor image run with <c>podman run</c> given a pod's options (<see cref="PodmanPod"/>: an ordinary,
/// unprivileged pod), for what a pod's <c>securityContext</c> changes: the failures of a non-root user and of a
/// read-only root, and the isolation ladder's fallback to chroot mode. The documented Pods and Jobs themselves run
/// with <c>podman kube play</c> in <see cref="ExecutorKubePlayTests"/>.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExecutorPodTests(RegistryFixture registry) : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-pod-tests-");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

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
        var built = await new PodBuiltImages(_temp, registry).CopyAndUnpackAsync("chroot", $"docker://{registry.Host}/pod/chroot:1", ["--src-tls-verify=false"]);
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

    private string EmptyDir(string name)
    {
        var directory = _temp.Combine("empty-dir-" + name);
        Directory.CreateDirectory(directory);
        return directory;
    }
}
