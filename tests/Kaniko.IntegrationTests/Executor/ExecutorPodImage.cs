using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The executor image, built once per test run by <c>scripts/build-executor-image.sh</c> (from the cached publish)
/// and copied into podman's storage, tagged by its digest so a run with unchanged sources finds it there already.
/// </summary>
internal static class ExecutorPodImage
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _reference;

    /// <summary>The podman reference of the image (<c>localhost/kaniko-dotnet/executor:DIGEST</c>).</summary>
    public static async Task<string> GetAsync(RegistryFixture registry, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return _reference ??= await BuildAsync(registry, cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> BuildAsync(RegistryFixture registry, CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory("kaniko-pod-image-");
        var runtimeDeps = await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.RuntimeDeps, cancellationToken);
        var publish = await ExecutorPublish.GetAsync(temp.Combine("publish"), cancellationToken);
        var layout = temp.Combine("oci");
        var build = await ExternalTools.RunAsync(
            "bash",
            [
                Path.Combine(TestPaths.RepositoryRoot, "scripts", "build-executor-image.sh"), "--publish-dir", publish,
                "--runtime-deps", runtimeDeps.Reference, "--insecure-registry", registry.Host, "--cache-dir", temp.Combine("cache"),
                // The test image needs no attestations; without them the layout's tag names the image itself.
                "--no-push", "--destination", "kaniko/executor:test", "--oci-layout-path", layout, "--provenance=false",
            ],
            TimeSpan.FromMinutes(15), // minutes on a loaded machine: it unpacks and packs the whole tool
            cancellationToken);
        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);

        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), cancellationToken));
        var digest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var reference = "localhost/kaniko-dotnet/executor:" + digest["sha256:".Length..][..16];
        await Skopeo.RunCheckedAsync(["copy", "--quiet", $"oci:{layout}:test", "containers-storage:" + reference], cancellationToken);
        return reference;
    }
}
