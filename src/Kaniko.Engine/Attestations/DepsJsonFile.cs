using System.Text.Json;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Reads a .NET application's <c>*.deps.json</c>: the <c>libraries</c> it was published with (NuGet packages with
/// their SHA-512, the project itself) and, from the runtime target, which library depends on which. The deps file is
/// the host's own record of what the application loads, so it is the truth for what the image carries.
/// </summary>
internal static class DepsJsonFile
{
    /// <summary>One entry of <c>libraries</c>.</summary>
    /// <param name="Name">The library's name.</param>
    /// <param name="Version">Its version.</param>
    /// <param name="Type"><c>package</c>, <c>project</c>, <c>reference</c>, <c>runtimepack</c>, ...</param>
    /// <param name="Sha512">The NuGet package's SHA-512 in lower-case hex, or null.</param>
    /// <param name="DependsOn">The names of the libraries it depends on in the runtime target.</param>
    public sealed record Library(string Name, string Version, string Type, string? Sha512, IReadOnlyList<string> DependsOn);

    /// <summary>The libraries of <paramref name="file"/>; none when it is not a deps file this reader understands.</summary>
    public static IReadOnlyList<Library> Libraries(PackageRecordFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(file.Content, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException)
        {
            // A file that merely ends in .deps.json but is no deps file records no packages.
            return [];
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("libraries", out var libraries) || libraries.ValueKind != JsonValueKind.Object)
            {
                return [];
            }

            var target = RuntimeTarget(root);
            var result = new List<Library>();
            foreach (var library in libraries.EnumerateObject())
            {
                var slash = library.Name.LastIndexOf('/');
                if (slash <= 0 || library.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var type = library.Value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "package";
                var sha = library.Value.TryGetProperty("sha512", out var s) && s.ValueKind == JsonValueKind.String ? Sha512Hex(s.GetString()!) : null;
                result.Add(new Library(library.Name[..slash], library.Name[(slash + 1)..], type, sha, DependenciesOf(target, library.Name)));
            }

            return result;
        }
    }

    private static JsonElement? RuntimeTarget(JsonElement root)
    {
        if (!root.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("runtimeTarget", out var runtime) && runtime.ValueKind == JsonValueKind.Object
            && runtime.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            && targets.TryGetProperty(name.GetString()!, out var named))
        {
            return named;
        }

        return targets.EnumerateObject().Select(p => (JsonElement?)p.Value).FirstOrDefault();
    }

    private static string[] DependenciesOf(JsonElement? target, string key) =>
        target is { ValueKind: JsonValueKind.Object } t && t.TryGetProperty(key, out var entry) && entry.ValueKind == JsonValueKind.Object
            && entry.TryGetProperty("dependencies", out var dependencies) && dependencies.ValueKind == JsonValueKind.Object
            ? [.. dependencies.EnumerateObject().Select(d => d.Name)]
            : [];

    // deps.json writes "sha512-BASE64" (the NuGet package hash); SPDX and CycloneDX want hex.
    private static string? Sha512Hex(string value)
    {
        const string prefix = "sha512-";
        if (!value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(value[prefix.Length..], bytes, out var written) && written == 64
            ? Convert.ToHexStringLower(bytes)
            : null;
    }
}
