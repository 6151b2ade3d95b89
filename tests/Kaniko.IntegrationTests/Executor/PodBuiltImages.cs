using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>An image unpacked by umoci, with its config.</summary>
internal sealed record UnpackedImage(string RootFs, JsonElement Config);

/// <summary>
/// Images built in a pod, read back with skopeo and umoci, and the same builds made outside a pod (the published
/// executor on this machine), to compare them: same files, same config.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PodBuiltImages(TempDirectory temp, RegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Copies <paramref name="source"/> (a skopeo reference) into an OCI layout and unpacks it.</summary>
    public async Task<UnpackedImage> CopyAndUnpackAsync(string name, string source, string[] options)
    {
        var layout = temp.Combine("layout-" + name);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", .. options, source, $"oci:{layout}:copied"], Cancellation);
        return await UnpackLayoutAsync(name, layout, "copied");
    }

    /// <summary>The same build with the published executor on this machine (bubblewrap or chroot mode, not in a pod).</summary>
    public async Task<UnpackedImage> BuildOutsideAsync(string name, string context, params string[] arguments)
    {
        var publish = await ExecutorPublish.GetAsync(temp.Combine("publish"), Cancellation);
        var layout = temp.Combine("layout-" + name);
        var build = await ExternalTools.RunAsync(
            Path.Combine(publish, "dotnet-kaniko"),
            ["build", "--context", context, "--no-push", "--destination", "outside:1", "--oci-layout-path", layout, "--insecure-registry", registry.Host,
             // Without the default provenance: umoci takes a layout tag whose index also holds an attestation manifest as ambiguous.
             "--cache-dir", temp.Combine("outside-cache"), "--isolation", "auto", "--provenance=false", .. arguments],
            TimeSpan.FromMinutes(10),
            Cancellation,
            environment: new Dictionary<string, string?> { ["KANIKO_ISOLATION"] = null });
        Assert.True(build.ExitCode == 0, build.StandardOutput + build.StandardError);
        return await UnpackLayoutAsync(name, layout, "1");
    }

    /// <summary>Every path with its type, mode, owner, size and link target (times differ between any two builds).</summary>
    public static async Task<string> TreeAsync(string rootFs)
    {
        var find = await ExternalTools.RunCheckedAsync(
            TestRequirements.Executable("find"), [rootFs, "-mindepth", "1", "-printf", "%P %y %m %U:%G %s %l\n"], TimeSpan.FromMinutes(2), Cancellation);
        return string.Join('\n', find.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    /// <summary>The settings a container gets and the steps' history, without the times.</summary>
    public static string ConfigSummary(JsonElement config)
    {
        var settings = config.GetProperty("config");
        var history = config.GetProperty("history").EnumerateArray().Select(h => h.TryGetProperty("created_by", out var by) ? by.GetString() : null);
        return string.Join('\n', settings.GetRawText(), config.GetProperty("rootfs").GetProperty("diff_ids").GetArrayLength(), string.Join('|', history));
    }

    private async Task<UnpackedImage> UnpackLayoutAsync(string name, string layout, string tag)
    {
        using var config = JsonDocument.Parse((await Skopeo.RunCheckedAsync(["inspect", "--config", $"oci:{layout}:{tag}"], Cancellation)).StandardOutput);
        var rootFs = await Umoci.UnpackAsync(layout, tag, temp.Combine("bundle-" + name), Cancellation);
        return new UnpackedImage(rootFs, config.RootElement.Clone());
    }
}
