using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kaniko.Testing;

/// <summary>The multi-platform busybox pushed to a test registry: two images and the index that lists them.</summary>
/// <param name="Reference">The index, <c>HOST/busybox:multi</c>.</param>
/// <param name="IndexDigest">The index's digest.</param>
/// <param name="Amd64">The linux/amd64 image (also pushed as <c>busybox:amd64</c>).</param>
/// <param name="Arm64">The linux/arm64/v8 image (also pushed as <c>busybox:arm64</c>).</param>
public sealed record PushedMultiPlatformImage(string Reference, string IndexDigest, OciLayoutImage Amd64, OciLayoutImage Arm64);

public static partial class BaseImages
{
    /// <summary>Bump when the arm64 busybox image changes shape, so caches rebuild.</summary>
    public const int BusyboxArm64ContentVersion = 1;

    private const string OciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private const string OciIndexMediaType = "application/vnd.oci.image.index.v1+json";

    /// <summary>
    /// The cached linux/arm64/v8 busybox OCI layout: Debian's busybox-static for arm64, fetched with apt into a
    /// private state folder (the host's dpkg architectures and apt lists are left alone) and unpacked with
    /// <c>dpkg-deb -x</c>. Skips (fails under <c>KANIKO_REQUIRE_INTEGRATION=1</c>) when the package cannot be fetched.
    /// </summary>
    public static async Task<OciLayoutImage> BusyboxArm64LayoutAsync(CancellationToken cancellationToken = default)
    {
        RequireBusybox();
        await CacheLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var binary = Path.Combine(await Arm64PackageAsync(cancellationToken).ConfigureAwait(false), "root", "bin", "busybox");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(await File.ReadAllBytesAsync(binary, cancellationToken).ConfigureAwait(false));
            hash.AppendData(await File.ReadAllBytesAsync(BusyboxBinary, cancellationToken).ConfigureAwait(false));
            hash.AppendData(Encoding.UTF8.GetBytes(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription));
            var key = string.Create(CultureInfo.InvariantCulture,
                $"busybox-arm64-v{BusyboxArm64ContentVersion}-{Convert.ToHexStringLower(hash.GetHashAndReset())[..16]}");
            var directory = await TestCache.GetOrCreateDirectoryAsync(key, async staging =>
            {
                var layer = await ReproducibleLayer.CreateAsync(await BusyboxEntriesAsync(binary, cancellationToken).ConfigureAwait(false), cancellationToken)
                    .ConfigureAwait(false);
                OciLayoutWriter.Write(staging, LayoutTag, BusyboxConfig(layer.DiffId, "arm64", "v8"), [layer], "linux", "arm64", "v8");
            }).ConfigureAwait(false);
            return OciLayoutImage.Read(directory, LayoutTag);
        }
        finally
        {
            CacheLock.Release();
        }
    }

    /// <summary>
    /// Pushes the amd64 and arm64 busybox images (<c>busybox:amd64</c>, <c>busybox:arm64</c>) with skopeo, then the
    /// OCI index <c>busybox:multi</c> listing both, with a plain HTTP <c>PUT</c> (skopeo cannot assemble an index
    /// from two separate images).
    /// </summary>
    public static async Task<PushedMultiPlatformImage> PushBusyboxMultiAsync(RegistryFixture registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var skopeo = TestRequirements.Executable("skopeo");
        var amd64 = await BusyboxLayoutAsync(cancellationToken).ConfigureAwait(false);
        var arm64 = await BusyboxArm64LayoutAsync(cancellationToken).ConfigureAwait(false);
        await SkopeoCopyAsync(skopeo, amd64, registry.Host + "/busybox:amd64", format: null, cancellationToken).ConfigureAwait(false);
        await SkopeoCopyAsync(skopeo, arm64, registry.Host + "/busybox:arm64", format: null, cancellationToken).ConfigureAwait(false);

        var index = OciLayoutWriter.Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciIndexMediaType);
            w.WriteStartArray("manifests");
            WriteEntry(w, amd64, variant: null);
            WriteEntry(w, arm64, variant: "v8");
            w.WriteEndArray();
        });
        using var http = new HttpClient();
        using var content = new ByteArrayContent(index);
        content.Headers.ContentType = new MediaTypeHeaderValue(OciIndexMediaType);
        using var response = await http.PutAsync(new Uri($"http://{registry.Host}/v2/busybox/manifests/multi"), content, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"pushing busybox:multi failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        return new PushedMultiPlatformImage(registry.Host + "/busybox:multi", "sha256:" + Convert.ToHexStringLower(SHA256.HashData(index)), amd64, arm64);
    }

    private static void WriteEntry(Utf8JsonWriter writer, OciLayoutImage image, string? variant)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", OciManifestMediaType);
        writer.WriteString("digest", image.ManifestDigest);
        writer.WriteNumber("size", new FileInfo(OciLayoutWriter.BlobPath(image.Directory, image.ManifestDigest)).Length);
        writer.WriteStartObject("platform");
        writer.WriteString("architecture", image.Architecture);
        writer.WriteString("os", image.Os);
        if (variant is not null)
        {
            writer.WriteString("variant", variant);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    // The .deb is fetched once per cache: apt reads the host's sources but keeps its lists, cache and (empty) dpkg
    // status in a private folder, and APT::Architecture makes arm64 the only architecture it considers.
    private static async Task<string> Arm64PackageAsync(CancellationToken cancellationToken)
    {
        var aptGet = TestRequirements.Executable("apt-get");
        var dpkgDeb = TestRequirements.Executable("dpkg-deb");
        return await TestCache.GetOrCreateDirectoryAsync("busybox-static-arm64-deb-v1", async staging =>
        {
            var state = Path.Combine(staging, "apt");
            var debs = Path.Combine(staging, "debs");
            Directory.CreateDirectory(Path.Combine(state, "lists", "partial"));
            Directory.CreateDirectory(Path.Combine(state, "cache", "archives", "partial"));
            Directory.CreateDirectory(debs);
            string[] options =
            [
                "-qq",
                "-o", "Dir::State::Lists=" + Path.Combine(state, "lists"),
                "-o", "Dir::Cache=" + Path.Combine(state, "cache"),
                "-o", "Dir::State::status=/dev/null",
                "-o", "APT::Architecture=arm64",
                "-o", "APT::Architectures::=arm64",
                "-o", "APT::Sandbox::User=root",
            ];
            var update = await ExternalTools.RunAsync(aptGet, [.. options, "update"], TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
            var download = update.ExitCode == 0
                ? await RunInAsync(debs, aptGet, [.. options, "download", "busybox-static:arm64"], cancellationToken).ConfigureAwait(false)
                : update;
            var deb = Directory.Exists(debs) ? Directory.GetFiles(debs, "busybox-static_*_arm64.deb").FirstOrDefault() : null;
            if (download.ExitCode != 0 || deb is null)
            {
                TestRequirements.Unavailable(
                    $"cannot fetch Debian's busybox-static:arm64 with apt-get (exit {download.ExitCode}): {download.StandardError.Trim()}");
            }

            await ExternalTools.RunCheckedAsync(dpkgDeb, ["-x", deb, Path.Combine(staging, "root")], cancellationToken: cancellationToken).ConfigureAwait(false);
            Directory.Delete(state, recursive: true);
        }).ConfigureAwait(false);
    }

    private static async Task<ToolResult> RunInAsync(string directory, string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        // apt-get download writes into the current directory, which a test process must not change: run it from a shell.
        var quoted = string.Join(' ', arguments.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return await ExternalTools.RunAsync("/bin/sh", ["-c", $"cd '{directory}' && exec '{fileName}' {quoted}"], TimeSpan.FromMinutes(5), cancellationToken)
            .ConfigureAwait(false);
    }
}
