using System.Globalization;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// Reads a manifest answer as the distribution spec and the registries in use send it: at most
/// <see cref="RegistryOptions.MaxManifestSize"/> bytes kept exactly, the media type from the header (or from the body
/// when the header is generic), and the digest checked against the reference and <c>Docker-Content-Digest</c>.
/// </summary>
internal static class ManifestResponses
{
    /// <summary>The answer's body, at most <see cref="RegistryOptions.MaxManifestSize"/> bytes, read as sent.</summary>
    public static async Task<byte[]> ReadManifestAsync(HttpResponseMessage response, ImageReference reference, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > RegistryOptions.MaxManifestSize)
        {
            throw TooLarge(reference);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > RegistryOptions.MaxManifestSize)
            {
                throw TooLarge(reference);
            }
        }

        return buffer.ToArray();
    }

    private static RegistryException TooLarge(ImageReference reference) => new(
        DiagnosticCodes.ManifestTooLarge,
        string.Format(CultureInfo.InvariantCulture, Strings.ManifestTooLarge, reference, RegistryOptions.MaxManifestSize));

    /// <summary>The document's media type; one this engine cannot read fails, naming the reference.</summary>
    public static MediaType ManifestMediaType(HttpResponseMessage response, byte[] bytes, ImageReference reference)
    {
        var declared = response.Content.Headers.ContentType?.MediaType;
        var mediaType = declared is null or "application/json" or "text/plain" ? MediaTypeFromBody(bytes) : new MediaType(declared);
        if (!mediaType.IsManifest && !mediaType.IsIndex)
        {
            throw new RegistryException(
                DiagnosticCodes.ManifestMediaTypeUnsupported,
                string.Format(CultureInfo.InvariantCulture, Strings.ManifestMediaTypeUnsupported, reference, mediaType.Value.Length == 0 ? "document without media type" : mediaType.Value));
        }

        return mediaType;
    }

    // Registries that serve application/json leave the type to the document; an OCI manifest may omit its
    // mediaType, in which case "manifests" tells an index from an image manifest.
    private static MediaType MediaTypeFromBody(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            if (root.TryGetProperty("mediaType", out var type) && type.ValueKind == JsonValueKind.String)
            {
                return new MediaType(type.GetString()!);
            }

            return root.TryGetProperty("manifests", out _) ? MediaType.OciIndex
                : root.TryGetProperty("config", out _) ? MediaType.OciManifest
                : default;
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>The digest of <paramref name="bytes"/>, checked against the reference's and the registry's.</summary>
    public static Digest VerifyManifestDigest(HttpResponseMessage response, byte[] bytes, ImageReference reference)
    {
        var digest = Digest.Compute(bytes);
        if (reference.Digest is { } pinned)
        {
            var actual = pinned.Algorithm == digest.Algorithm ? digest : Digest.Compute(bytes, pinned.Algorithm);
            if (actual != pinned)
            {
                throw DigestMismatch(reference, actual, "the digest the reference pins", pinned);
            }
        }

        if (TryGetHeaderDigest(response, out var announced) && announced.IsSupported)
        {
            var actual = announced.Algorithm == digest.Algorithm ? digest : Digest.Compute(bytes, announced.Algorithm);
            if (actual != announced)
            {
                throw DigestMismatch(reference, actual, "the registry's Docker-Content-Digest header", announced);
            }
        }

        return digest;
    }

    private static RegistryException DigestMismatch(ImageReference reference, Digest actual, string source, Digest expected) => new(
        DiagnosticCodes.ManifestDigestMismatch,
        string.Format(CultureInfo.InvariantCulture, Strings.ManifestDigestMismatch, reference, actual, source, expected));

    /// <summary>The digest the registry announced in <c>Docker-Content-Digest</c>, when it did.</summary>
    public static bool TryGetHeaderDigest(HttpResponseMessage response, out Digest digest)
    {
        digest = default;
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && Digest.TryParse(values.FirstOrDefault()?.Trim(), out digest);
    }
}
