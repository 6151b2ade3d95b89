using System.Globalization;
using System.Text;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using NuGet.Versioning;

namespace Kaniko.Tasks;

/// <summary>
/// The image names the SDK derives from a project: the repository from the assembly name, the tags from the
/// version, and the full destination references.
/// </summary>
internal static class ImageNames
{
    /// <summary>The tag every release also gets, and the only tag when no version is known.</summary>
    internal const string LatestTag = "latest";

    /// <summary>
    /// The assembly name as a repository: lower-cased, each character the reference grammar does not allow in a
    /// path component turned into <c>-</c>, runs of separators collapsed and separators trimmed from both ends
    /// (<c>My.Web_App</c> gives <c>my.web_app</c>, <c>Hello World!</c> gives <c>hello-world</c>).
    /// </summary>
    internal static string RepositoryFromAssemblyName(string assemblyName)
    {
        var builder = new StringBuilder(assemblyName.Length);
        foreach (var c in assemblyName.ToLowerInvariant())
        {
            var allowed = c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            var separator = c is '.' or '_' or '-';
            if (allowed)
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && !IsSeparator(builder[^1]))
            {
                builder.Append(separator ? c : '-');
            }
        }

        while (builder.Length > 0 && IsSeparator(builder[^1]))
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The tags for a project version, parsed as NuGet does: a release <c>1.4.2</c> gives <c>1.4.2</c>, <c>1.4</c>,
    /// <c>1</c> and <c>latest</c>; a prerelease gives only its full version (build metadata dropped, as <c>+</c>
    /// cannot be in a tag); no version or one NuGet cannot read gives <c>latest</c>.
    /// </summary>
    internal static IReadOnlyList<string> TagsFromVersion(string? version)
    {
        if (string.IsNullOrWhiteSpace(version) || !NuGetVersion.TryParse(version, out var parsed))
        {
            return [LatestTag];
        }

        var full = parsed.ToNormalizedString();
        if (parsed.IsPrerelease)
        {
            return [full];
        }

        string[] tags =
        [
            full,
            string.Create(CultureInfo.InvariantCulture, $"{parsed.Major}.{parsed.Minor}"),
            parsed.Major.ToString(CultureInfo.InvariantCulture),
            LatestTag,
        ];
        return [.. tags.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The destination references <c>REGISTRY/REPOSITORY:TAG</c>, one per tag, each checked against the reference
    /// grammar; a bad repository or tag is <c>KANIKO6002</c> naming what is wrong.
    /// </summary>
    internal static IReadOnlyList<ImageReference> Destinations(string registry, string repository, IEnumerable<string> tags)
    {
        var references = new List<ImageReference>();
        foreach (var tag in tags)
        {
            var text = registry + "/" + repository + ":" + tag;
            if (!ImageReference.TryParse(text, out var reference, out var reason))
            {
                var part = ImageReference.TryParse(registry + "/" + repository, out _, out _) ? "tag" : "repository";
                throw new KanikoException(DiagnosticCodes.MSBuildInvalidImageName, string.Format(
                    CultureInfo.InvariantCulture, Strings.MSBuildInvalidImageName, part, part == "tag" ? tag : repository, reason));
            }

            references.Add(reference);
        }

        return references;
    }

    /// <summary>Splits a <c>;</c> or <c>,</c> separated MSBuild list into its trimmed, non-empty values.</summary>
    internal static IReadOnlyList<string> SplitList(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsSeparator(char c) => c is '.' or '_' or '-';
}
