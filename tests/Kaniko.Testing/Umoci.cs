namespace Kaniko.Testing;

/// <summary>Unpacks images with umoci, an independent tool, so a test reads the files a container would get.</summary>
public static class Umoci
{
    /// <summary>
    /// Unpacks the image tagged <paramref name="tag"/> in the OCI layout <paramref name="layout"/> into the new bundle
    /// folder <paramref name="bundle"/> (rootless when this process is not root, which maps every owner to the
    /// caller); returns the bundle's root filesystem. Skips the test when umoci is missing.
    /// </summary>
    public static async Task<string> UnpackAsync(string layout, string tag, string bundle, CancellationToken cancellationToken = default)
    {
        var umoci = TestRequirements.Executable("umoci");
        List<string> arguments = ["unpack", "--image", layout + ":" + tag];
        if (!Environment.IsPrivilegedProcess)
        {
            arguments.Add("--rootless");
        }

        arguments.Add(bundle);
        await ExternalTools.RunCheckedAsync(umoci, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        return Path.Combine(bundle, "rootfs");
    }
}
