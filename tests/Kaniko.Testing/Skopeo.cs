namespace Kaniko.Testing;

/// <summary>
/// Runs skopeo with the permissive signature policy of <see cref="BaseImages.SkopeoPolicyPath"/>, so a test depends
/// neither on /etc/containers nor on the user's stored logins unless it passes them.
/// </summary>
public static class Skopeo
{
    /// <summary>Runs <c>skopeo --policy POLICY ARGUMENTS</c>; skips the test when skopeo is missing.</summary>
    public static Task<ToolResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        return ExternalTools.RunAsync(skopeo, ["--policy", BaseImages.SkopeoPolicyPath(), .. arguments], cancellationToken: cancellationToken);
    }

    /// <summary>Like <see cref="RunAsync"/>, but throws with skopeo's error output when it fails.</summary>
    public static async Task<ToolResult> RunCheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{result.CommandLine} exited with {result.ExitCode}: {result.StandardError.Trim()}");
    }
}
