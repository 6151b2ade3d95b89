using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// One build in a fresh context and cache, against the shared registry: writes the context, runs
/// <see cref="KanikoBuilder"/>, and reads the result back with skopeo (config, manifest, layer tars) and umoci.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BuildHarness : IDisposable
{
    private readonly TempDirectory _root = new("kaniko-build-");
    private readonly RegistryFixture _registry;

    public BuildHarness(RegistryFixture registry)
    {
        _registry = registry;
        Directory.CreateDirectory(ContextDirectory);
        Directory.CreateDirectory(CacheDirectory);
    }

    public string ContextDirectory => _root.Combine("context");

    public string CacheDirectory => _root.Combine("cache");

    public List<BuildEvent> Events { get; } = [];

    public string Path(params string[] parts) => _root.Combine(parts);

    public static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public string NewReference(string name) => $"{_registry.Host}/build-{name}-{Guid.NewGuid().ToString("N")[..12]}:v1";

    public void Write(string relativePath, string content, UnixFileMode? mode = null)
    {
        var path = System.IO.Path.Combine(ContextDirectory, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        if (mode is { } m)
        {
            File.SetUnixFileMode(path, m);
        }
    }

    /// <summary>
    /// A request that pushes to <paramref name="destinations"/> without the default provenance (as
    /// <c>--provenance=false</c>): most tests read the image manifest by its tag. The tests of the default
    /// (<c>Attestations/DefaultProvenanceTests</c>) and of attestations set <see cref="BuildRequest.Attestations"/>.
    /// </summary>
    public BuildRequest Request(params string[] destinations) => new()
    {
        Context = ContextDirectory,
        Destinations = destinations,
        CacheDirectory = CacheDirectory,
        Attestations = new AttestationOptions { Provenance = ProvenanceMode.None },
        Registry = new RegistrySettings
        {
            InsecureRegistries = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { _registry.Host },
        },
    };

    public Task<BuildResult> BuildAsync(BuildRequest request) =>
        KanikoBuilder.BuildAsync(request, new ListSink(Events), Cancellation);

    public Task<BuildResult> BuildAsync(BuildRequest request, Kaniko.Engine.Registry.Auth.IKeychain keychain) =>
        KanikoBuilder.BuildAsync(request, new ListSink(Events), keychain, Cancellation);

    public string[] CachedBlobs() =>
        Directory.Exists(System.IO.Path.Combine(CacheDirectory, "blobs", "sha256"))
            ? Directory.GetFiles(System.IO.Path.Combine(CacheDirectory, "blobs", "sha256")).Select(f => "sha256:" + System.IO.Path.GetFileName(f)).ToArray()
            : [];

    public static async Task<JsonDocument> SkopeoJsonAsync(params string[] arguments)
    {
        var result = await Skopeo.RunCheckedAsync(arguments, Cancellation);
        return JsonDocument.Parse(result.StandardOutput);
    }

    /// <summary>The image's config, as skopeo reads it from the registry.</summary>
    public static async Task<JsonElement> ConfigAsync(string reference)
    {
        using var document = await SkopeoJsonAsync("inspect", "--tls-verify=false", "--config", "docker://" + reference);
        return document.RootElement.Clone();
    }

    /// <summary>The image's manifest, as the registry serves it.</summary>
    public static async Task<JsonElement> ManifestAsync(string reference)
    {
        using var document = await SkopeoJsonAsync("inspect", "--tls-verify=false", "--raw", "docker://" + reference);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// The image manifest of <paramref name="reference"/>: the tag's own manifest, or, when the tag names an index (the
    /// CLI's default provenance, several platforms), its first image entry, as a runtime on this machine picks it.
    /// </summary>
    public static async Task<JsonElement> ImageManifestAsync(string reference)
    {
        var manifest = await ManifestAsync(reference);
        if (!manifest.TryGetProperty("manifests", out var entries))
        {
            return manifest;
        }

        var image = entries.EnumerateArray().First(e => e.GetProperty("platform").GetProperty("os").GetString() != "unknown");
        var repository = reference.Contains('@', StringComparison.Ordinal) ? reference[..reference.IndexOf('@', StringComparison.Ordinal)]
            : reference[..reference.LastIndexOf(':')];
        return await ManifestAsync(repository + "@" + image.GetProperty("digest").GetString());
    }

    /// <summary>Copies the image into an OCI layout with skopeo and unpacks it with umoci; returns the root filesystem.</summary>
    public async Task<string> UnpackAsync(string reference)
    {
        var umoci = TestRequirements.Executable("umoci");
        var layout = _root.Combine("unpack-layout");
        var bundle = _root.Combine("unpack-bundle-" + Guid.NewGuid().ToString("N")[..8]);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{layout}:image"], Cancellation);
        List<string> unpack = ["unpack", "--image", layout + ":image"];
        if (!Environment.IsPrivilegedProcess)
        {
            unpack.Add("--rootless");
        }

        unpack.Add(bundle);
        await ExternalTools.RunCheckedAsync(umoci, unpack, cancellationToken: Cancellation);
        return System.IO.Path.Combine(bundle, "rootfs");
    }

    /// <summary>The entries of every layer of the image, top layer last, copied with skopeo into an OCI layout and read from the blobs.</summary>
    public async Task<List<List<TarEntrySummary>>> LayerEntriesAsync(string reference)
    {
        var layout = _root.Combine("layers-" + Guid.NewGuid().ToString("N")[..8]);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{layout}:image"], Cancellation);
        var manifest = await ImageManifestAsync(reference);
        var layers = new List<List<TarEntrySummary>>();
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            var digest = layer.GetProperty("digest").GetString()!;
            var blob = System.IO.Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
            await using var file = File.OpenRead(blob);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            var entries = new List<TarEntrySummary>();
            // .NET's reader cannot read a PAX value holding a newline (a file named "a\nb"): the engine's filter can.
            await using var reader = Kaniko.Engine.Layers.PaxNewlineEscapingStream.OpenReader(gzip);
            while (await Kaniko.Engine.Layers.PaxNewlineEscapingStream.NextEntryAsync(reader, Cancellation) is { } entry)
            {
                entries.Add(new TarEntrySummary(entry.Name, entry.EntryType, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, entry.LinkName));
            }

            layers.Add(entries);
        }

        return layers;
    }

    public void Dispose() => _root.Dispose();

    private sealed class ListSink(List<BuildEvent> events) : IBuildEventSink
    {
        public void Report(BuildEvent buildEvent)
        {
            lock (events)
            {
                events.Add(buildEvent);
            }
        }
    }
}

/// <summary>One tar entry of a layer, as read back (<paramref name="LinkName"/>: a link's target, else empty).</summary>
internal sealed record TarEntrySummary(string Name, TarEntryType Type, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime, string LinkName = "");
