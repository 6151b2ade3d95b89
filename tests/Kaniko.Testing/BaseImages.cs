using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kaniko.Testing;

/// <summary>A base image pushed to a test registry.</summary>
/// <param name="Reference">The pushed OCI-manifest reference, e.g. <c>127.0.0.1:PORT/busybox:latest</c>.</param>
/// <param name="DockerV2Reference">The same image converted to a Docker v2 schema 2 manifest (tag <c>latest-v2s2</c>).</param>
/// <param name="Layout">The cached OCI layout the image was pushed from.</param>
public sealed record PushedBaseImage(string Reference, string DockerV2Reference, OciLayoutImage Layout);

/// <summary>
/// Base images built offline from what the machine has installed, cached as OCI layouts in <see cref="TestCache"/>,
/// and pushed to a test registry with skopeo (an independent tool, so a bug in our registry client cannot hide
/// behind a bug in the fixture).
/// </summary>
public static partial class BaseImages
{
    /// <summary>Bump when the content or shape of the busybox image changes, so caches rebuild.</summary>
    public const int BusyboxContentVersion = 1;

    /// <summary>The statically linked busybox of Debian's busybox-static package.</summary>
    public const string BusyboxBinary = "/bin/busybox";

    /// <summary>The tag of the busybox image inside its OCI layout.</summary>
    public const string LayoutTag = "latest";

    private static readonly SemaphoreSlim CacheLock = new(1, 1);

    /// <summary>The cached busybox OCI layout, built on first use; skips the test when busybox-static is missing.</summary>
    public static async Task<OciLayoutImage> BusyboxLayoutAsync(CancellationToken cancellationToken = default)
    {
        RequireBusybox();
        var inputsHash = await InputsHashAsync(cancellationToken).ConfigureAwait(false);
        var key = string.Create(CultureInfo.InvariantCulture, $"busybox-v{BusyboxContentVersion}-{inputsHash}");
        await CacheLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var directory = await TestCache.GetOrCreateDirectoryAsync(
                key, staging => WriteBusyboxLayoutAsync(staging, cancellationToken)).ConfigureAwait(false);
            return OciLayoutImage.Read(directory, LayoutTag);
        }
        finally
        {
            CacheLock.Release();
        }
    }

    /// <summary>
    /// Writes a fresh busybox image (linux/amd64, one layer, <c>CMD ["sh"]</c>) as an OCI layout into
    /// <paramref name="directory"/>, without the cache.
    /// </summary>
    public static async Task<OciLayoutImage> WriteBusyboxLayoutAsync(string directory, CancellationToken cancellationToken = default)
    {
        RequireBusybox();
        var layer = await ReproducibleLayer.CreateAsync(await BusyboxEntriesAsync(BusyboxBinary, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
        var config = BusyboxConfig(layer.DiffId, "amd64", variant: null);
        return OciLayoutWriter.Write(directory, LayoutTag, config, [layer], "linux", "amd64");
    }

    /// <summary>Pushes the cached busybox image to <paramref name="registry"/> as <c>busybox:latest</c> and <c>busybox:latest-v2s2</c>.</summary>
    public static Task<PushedBaseImage> PushBusyboxAsync(RegistryFixture registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return PushBusyboxAsync(registry.Host, cancellationToken);
    }

    /// <summary>Pushes the cached busybox image to the plain-HTTP registry at <paramref name="registryHost"/> (host:port).</summary>
    public static async Task<PushedBaseImage> PushBusyboxAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        var layout = await BusyboxLayoutAsync(cancellationToken).ConfigureAwait(false);
        var reference = registryHost + "/busybox:latest";
        var dockerV2Reference = registryHost + "/busybox:latest-v2s2";
        await SkopeoCopyAsync(skopeo, layout, reference, format: null, cancellationToken).ConfigureAwait(false);
        await SkopeoCopyAsync(skopeo, layout, dockerV2Reference, format: "v2s2", cancellationToken).ConfigureAwait(false);
        return new PushedBaseImage(reference, dockerV2Reference, layout);
    }

    /// <summary>A skopeo signature policy that accepts everything, so runs do not depend on /etc/containers.</summary>
    public static string SkopeoPolicyPath()
    {
        var path = Path.Combine(TestCache.Directory, "skopeo-policy.json");
        if (!File.Exists(path))
        {
            var staging = path + "." + Guid.NewGuid().ToString("N");
            File.WriteAllText(staging, """{"default":[{"type":"insecureAcceptAnything"}]}""");
            File.Move(staging, path, overwrite: true);
        }

        return path;
    }

    private static async Task SkopeoCopyAsync(
        string skopeo, OciLayoutImage layout, string destination, string? format, CancellationToken cancellationToken)
    {
        List<string> arguments = ["--policy", SkopeoPolicyPath(), "copy", "--quiet", "--dest-tls-verify=false"];
        if (format is not null)
        {
            arguments.AddRange(["--format", format]);
        }

        arguments.AddRange([layout.TransportReference, "docker://" + destination]);

        // Test classes that start at once push the same base blobs to one registry, and the distribution registry can
        // then refuse one upload ("digest invalid", "blob unknown") while the other commits; a second push finds the
        // blobs there. skopeo's own --retry-times does not retry those answers.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExternalTools.RunCheckedAsync(skopeo, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void RequireBusybox()
    {
        if (!File.Exists(BusyboxBinary))
        {
            TestRequirements.Unavailable(TestRequirements.NotInstalled("busybox-static"));
        }
    }

    // The key covers every input of the bytes: the busybox binary and the runtime, whose zlib writes the gzip stream
    // (a runtime update may compress differently, and the cached digests must match a fresh build).
    private static async Task<string> InputsHashAsync(CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(await File.ReadAllBytesAsync(BusyboxBinary, cancellationToken).ConfigureAwait(false));
        hash.AppendData(Encoding.UTF8.GetBytes(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    // The applets come from the host's busybox: the arm64 one is the same Debian version and cannot run here.
    private static async Task<IReadOnlyList<LayerEntrySpec>> BusyboxEntriesAsync(string binary, CancellationToken cancellationToken)
    {
        var list = await ExternalTools.RunCheckedAsync(BusyboxBinary, ["--list"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var applets = list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => a != "busybox" && !a.Contains('/', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);

        const UnixFileMode Directory = (UnixFileMode)0x1ED; // 0755
        const UnixFileMode Executable = (UnixFileMode)0x1ED; // 0755
        const UnixFileMode Readable = (UnixFileMode)0x1A4; // 0644
        List<LayerEntrySpec> entries =
        [
            LayerEntrySpec.Directory("bin", Directory),
            LayerEntrySpec.HostFile("bin/busybox", Executable, binary),
            LayerEntrySpec.Directory("etc", Directory),
            LayerEntrySpec.File("etc/passwd", Readable, Encoding.ASCII.GetBytes(
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n")),
            LayerEntrySpec.File("etc/group", Readable, Encoding.ASCII.GetBytes("root:x:0:\nnogroup:x:65534:\n")),
            LayerEntrySpec.Directory("home", Directory),
            LayerEntrySpec.Directory("root", (UnixFileMode)0x1C0), // 0700
            LayerEntrySpec.Directory("tmp", (UnixFileMode)0x3FF), // 1777
        ];
        entries.AddRange(applets.Select(applet => LayerEntrySpec.Symlink("bin/" + applet, "busybox")));
        return entries;
    }

    private static byte[] BusyboxConfig(string diffId, string architecture, string? variant)
    {
        const string Created = "2024-01-01T00:00:00Z";
        return OciLayoutWriter.Json(w =>
        {
            w.WriteString("architecture", architecture);
            w.WriteStartObject("config");
            w.WriteStartArray("Env");
            w.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            w.WriteEndArray();
            w.WriteStartArray("Cmd");
            w.WriteStringValue("sh");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("created", Created);
            w.WriteStartArray("history");
            w.WriteStartObject();
            w.WriteString("created", Created);
            w.WriteString("created_by", architecture == "amd64"
                ? "kaniko-tests: busybox-static of the host in /bin, /etc/passwd, /etc/group"
                : "kaniko-tests: busybox-static:" + architecture + " of Debian in /bin, /etc/passwd, /etc/group");
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("created", Created);
            w.WriteString("created_by", "kaniko-tests: CMD [\"sh\"]");
            w.WriteBoolean("empty_layer", true);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("os", "linux");
            if (variant is not null)
            {
                w.WriteString("variant", variant);
            }

            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            w.WriteStringValue(diffId);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
