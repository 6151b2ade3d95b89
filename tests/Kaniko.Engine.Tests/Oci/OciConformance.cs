using System.Security.Cryptography;
using System.Text.Json;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Oci;

/// <summary>
/// The cases of <c>../shared/conformance/oci-image-spec</c> and <c>docker-manifest</c>, one check per case, shared by
/// the theories and the summary. A check returns null when the case passes, else what went wrong.
/// </summary>
internal static class OciConformance
{
    public const string Absent = "(conformance data absent)";

    public const string SkipReason = "the shared conformance folder (../shared/conformance) is not present; TestData/Oci covers the same ground";

    /// <summary>Each folder: its case names and the check for one case.</summary>
    public static IReadOnlyList<(string Folder, Func<IEnumerable<string>> Cases, Func<string, string?> Check)> Folders { get; } =
    [
        ("oci-image-spec/index.tsv (validation)", IndexCases, CheckValidation),
        ("oci-image-spec/valid (round trip)", ValidCases, CheckRoundTrip),
        ("docker-manifest/examples", () => FilesIn("docker-manifest/examples"), CheckExample),
        ("docker-manifest/distribution-serialization", () => FilesIn("docker-manifest/distribution-serialization"), CheckSerialization),
        ("docker-manifest/hub-samples", HubCases, CheckHubSample),
    ];

    private static string Root => TestPaths.ConformanceDirectory ?? throw new InvalidOperationException(SkipReason);

    public static TheoryData<string> Data(int folder)
    {
        var data = new TheoryData<string>();
        if (TestPaths.ConformanceDirectory is null)
        {
            data.Add(Absent);
            return data;
        }

        foreach (var name in Folders[folder].Cases())
        {
            data.Add(name);
        }

        return data;
    }

    private static IEnumerable<string[]> IndexRows() => OciTestData.Table(Path.Combine(Root, "oci-image-spec", "index.tsv"));

    private static IEnumerable<string> IndexCases() => IndexRows().Select(row => row[0]);

    private static IEnumerable<string> ValidCases() => IndexRows().Where(row => row[2] == "valid").Select(row => row[0]);

    private static IEnumerable<string> HubCases() =>
        OciTestData.Table(Path.Combine(Root, "docker-manifest", "hub-samples", "digests.tsv")).Select(row => row[0]);

    private static IEnumerable<string> FilesIn(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static string? CheckValidation(string file)
    {
        var row = IndexRows().Single(r => r[0] == file);
        var errors = OciDocumentValidator.Validate(File.ReadAllBytes(Path.Combine(Root, "oci-image-spec", file)), new MediaType(row[1]));
        var expectValid = row[2] == "valid";
        return expectValid == (errors.Count == 0)
            ? null
            : expectValid
                ? "expected valid, got: " + string.Join("; ", errors)
                : $"expected invalid ({row[4]}), but the validator accepted it";
    }

    private static string? CheckRoundTrip(string file)
    {
        var row = IndexRows().Single(r => r[0] == file);
        return OciTestData.RoundTripProblem(File.ReadAllBytes(Path.Combine(Root, "oci-image-spec", file)), new MediaType(row[1]));
    }

    private static string? CheckExample(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root, "docker-manifest", "examples", file));
        var mediaType = DeclaredMediaType(bytes);
        var errors = OciDocumentValidator.Validate(bytes, mediaType);
        if (errors.Count > 0)
        {
            return "validation failed: " + string.Join("; ", errors);
        }

        if (mediaType == MediaType.DockerManifest)
        {
            var manifest = RawJson<ImageManifest>.Parse(bytes).Value;
            if (manifest.Config.MediaType != MediaType.DockerConfig || !manifest.Config.MediaType.IsConfig)
            {
                return "config media type is " + manifest.Config.MediaType;
            }

            if (manifest.Layers.Count == 0 || manifest.Layers.Any(l => l.MediaType != MediaType.DockerLayerGzip || !l.MediaType.IsLayer || !l.MediaType.IsGzip))
            {
                return "layer media types are " + string.Join(", ", manifest.Layers.Select(l => l.MediaType));
            }
        }
        else if (mediaType == MediaType.DockerManifestList)
        {
            var index = RawJson<ImageIndex>.Parse(bytes).Value;
            if (index.Manifests.Count == 0 || index.Manifests.Any(m => m.MediaType != MediaType.DockerManifest || m.Platform is null))
            {
                return "manifest entries are not Docker manifests with platforms";
            }
        }
        else
        {
            return "unexpected media type " + mediaType;
        }

        return OciTestData.RoundTripProblem(bytes, mediaType);
    }

    private static string? CheckSerialization(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Root, "docker-manifest", "distribution-serialization", file));
        var mediaType = DeclaredMediaType(bytes);
        var errors = OciDocumentValidator.Validate(bytes, mediaType);
        if (errors.Count > 0)
        {
            return "validation failed: " + string.Join("; ", errors);
        }

        var expectedDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        byte[] canonical;
        if (mediaType.IsManifest)
        {
            var raw = RawJson<ImageManifest>.Parse(bytes);
            if (!raw.Bytes.Span.SequenceEqual(bytes) || raw.Digest.ToString() != expectedDigest || raw.Size != bytes.Length)
            {
                return "RawJson did not keep the bytes, their digest or their size";
            }

            canonical = OciTestData.SerializeGoIndented(raw.Value);
        }
        else
        {
            var raw = RawJson<ImageIndex>.Parse(bytes);
            if (!raw.Bytes.Span.SequenceEqual(bytes) || raw.Digest.ToString() != expectedDigest || raw.Size != bytes.Length)
            {
                return "RawJson did not keep the bytes, their digest or their size";
            }

            canonical = OciTestData.SerializeGoIndented(raw.Value);
        }

        // Property order follows the Go structs, so the model re-creates distribution's canonical bytes.
        return canonical.AsSpan().SequenceEqual(bytes)
            ? null
            : "re-serialising in Go's indented form gave different bytes:\n" + System.Text.Encoding.UTF8.GetString(canonical);
    }

    private static string? CheckHubSample(string file)
    {
        var row = OciTestData.Table(Path.Combine(Root, "docker-manifest", "hub-samples", "digests.tsv")).Single(r => r[0] == file);
        var bytes = File.ReadAllBytes(Path.Combine(Root, "docker-manifest", "hub-samples", file));
        var expected = Digest.Parse(row[1]);
        (Digest Digest, MediaType Type) parsed = file switch
        {
            _ when file.StartsWith("docker-index-", StringComparison.Ordinal) =>
                (RawJson<ImageIndex>.Parse(bytes).Digest, MediaType.DockerManifestList),
            _ when file.StartsWith("docker-manifest-", StringComparison.Ordinal) =>
                (RawJson<ImageManifest>.Parse(bytes).Digest, MediaType.DockerManifest),
            _ => (RawJson<ImageConfigFile>.Parse(bytes).Digest, MediaType.DockerConfig),
        };
        if (parsed.Digest != expected || Digest.Compute(bytes) != expected)
        {
            return $"digest {parsed.Digest}, expected {expected}";
        }

        if (!parsed.Type.IsConfig && DeclaredMediaType(bytes) != parsed.Type)
        {
            return "declared media type is " + DeclaredMediaType(bytes);
        }

        var errors = OciDocumentValidator.Validate(bytes, parsed.Type);
        return errors.Count == 0
            ? OciTestData.RoundTripProblem(bytes, parsed.Type)
            : "validation failed: " + string.Join("; ", errors);
    }

    private static MediaType DeclaredMediaType(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return new MediaType(document.RootElement.GetProperty("mediaType").GetString()!);
    }
}
