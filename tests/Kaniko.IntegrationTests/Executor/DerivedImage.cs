using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// A fixture image plus one file, made its entrypoint, in podman's storage: the pods' infra (pause) image and the git
/// image of the init container. Made once per machine: the tag is derived from the fixture's digest.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class DerivedImage
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>localhost/kaniko-tests/NAME:TAG</c>: <paramref name="baseImage"/> with <paramref name="file"/> at
    /// <paramref name="path"/> as its entrypoint.
    /// </summary>
    public static async Task<string> GetAsync(string name, OciLayoutImage baseImage, string file, string path, CancellationToken cancellationToken)
    {
        var tag = baseImage.ManifestDigest["sha256:".Length..][..16];
        var reference = $"localhost/kaniko-tests/{name}:{tag}";
        var podman = TestRequirements.Executable("podman");
        if ((await ExternalTools.RunAsync(podman, ["image", "exists", reference], cancellationToken: cancellationToken)).ExitCode == 0)
        {
            return reference;
        }

        // buildah names an image it pulls from an OCI layout after the layout's path, which a hidden folder
        // (.cache) makes an invalid reference: the fixture goes into podman's storage under a name first.
        var baseReference = $"localhost/kaniko-tests/{name}-base:{tag}";
        await Skopeo.RunCheckedAsync(["copy", "--quiet", baseImage.TransportReference, "containers-storage:" + baseReference], cancellationToken);
        var buildah = TestRequirements.Executable("buildah");
        var container = (await ExternalTools.RunCheckedAsync(
            buildah, ["from", "--quiet", "--name", $"kaniko-{name}-{Guid.NewGuid():N}"[..24], "containers-storage:" + baseReference], Timeout, cancellationToken)).StandardOutput.Trim();
        try
        {
            await ExternalTools.RunCheckedAsync(buildah, ["copy", "--quiet", "--chmod", "0755", container, file, path], Timeout, cancellationToken);
            await ExternalTools.RunCheckedAsync(buildah, ["config", "--entrypoint", $"[\"{path}\"]", "--cmd", "", container], Timeout, cancellationToken);
            await ExternalTools.RunCheckedAsync(buildah, ["commit", "--quiet", container, reference], Timeout, cancellationToken);
        }
        finally
        {
            await ExternalTools.RunAsync(buildah, ["rm", container], Timeout, CancellationToken.None);
            await ExternalTools.RunAsync(podman, ["rmi", baseReference], Timeout, CancellationToken.None);
        }

        return reference;
    }
}
