using System.Text;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Writes package URLs (<c>pkg:type/namespace/name@version?qualifiers</c>) as the purl specification spells them:
/// name and version percent-encoded, qualifiers sorted by key and empty ones left out.
/// </summary>
internal static class PackageUrl
{
    /// <summary>The purl of a package.</summary>
    public static string Create(string type, string? ns, string name, string version, params (string Key, string? Value)[] qualifiers)
    {
        ArgumentNullException.ThrowIfNull(qualifiers);
        var text = new StringBuilder("pkg:").Append(type).Append('/');
        if (!string.IsNullOrEmpty(ns))
        {
            text.Append(Uri.EscapeDataString(ns)).Append('/');
        }

        text.Append(Uri.EscapeDataString(name)).Append('@').Append(Uri.EscapeDataString(version));
        var separator = '?';
        foreach (var (key, value) in qualifiers.Where(q => !string.IsNullOrEmpty(q.Value)).OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            text.Append(separator).Append(key).Append('=').Append(Uri.EscapeDataString(value!));
            separator = '&';
        }

        return text.ToString();
    }
}
