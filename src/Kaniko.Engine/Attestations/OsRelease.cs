using System.Text;

namespace Kaniko.Engine.Attestations;

/// <summary>The distribution an image is built on, from its <c>os-release</c> file (<c>ID</c>, <c>VERSION_ID</c>).</summary>
/// <param name="Id">The distribution's id, for example <c>debian</c>, <c>ubuntu</c>, <c>alpine</c>.</param>
/// <param name="VersionId">Its version, for example <c>12</c>, or null.</param>
internal sealed record OsRelease(string Id, string? VersionId)
{
    /// <summary>The <c>distro</c> qualifier of a package URL (<c>debian-12</c>), or null without a version.</summary>
    public string? Distro => VersionId is null ? null : Id + "-" + VersionId;

    /// <summary>Reads <c>etc/os-release</c>, else <c>usr/lib/os-release</c>, from <paramref name="files"/>; null when neither is there.</summary>
    public static OsRelease? Find(IReadOnlyList<PackageRecordFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var file = files.FirstOrDefault(f => f.Path == "etc/os-release") ?? files.FirstOrDefault(f => f.Path == "usr/lib/os-release");
        if (file is null)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(file.Content.Span).Split('\n'))
        {
            var at = line.IndexOf('=', StringComparison.Ordinal);
            if (at > 0 && !line.StartsWith('#'))
            {
                values[line[..at].Trim()] = line[(at + 1)..].Trim().Trim('"', '\'');
            }
        }

        return values.TryGetValue("ID", out var id) && id.Length > 0
            ? new OsRelease(id, values.TryGetValue("VERSION_ID", out var version) && version.Length > 0 ? version : null)
            : null;
    }
}
