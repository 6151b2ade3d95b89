using System.IO.Enumeration;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Paths of the root filesystem that never go into a snapshot: the kernel's virtual file systems, mount points
/// such as secrets, and the tool's own scratch folders. A path is ignored when it, or one of its ancestors, matches
/// a pattern; a pattern is an absolute container path whose elements may hold <c>*</c> and <c>?</c>
/// (for example <c>/tmp/kaniko-*</c>).
/// </summary>
internal sealed class IgnoredPaths
{
    private readonly string[][] _patterns;

    /// <summary>Ignores the defaults (<c>/proc</c>, <c>/sys</c>, <c>/dev</c>) and <paramref name="extra"/>.</summary>
    public IgnoredPaths(IEnumerable<string>? extra = null)
    {
        var all = Defaults.Concat(extra ?? []).Select(p => ContainerPath.Parse(p)).Where(p => !p.IsRoot).Distinct().ToList();
        Patterns = all;
        _patterns = [.. all.Select(p => p.Value.Split('/', StringSplitOptions.RemoveEmptyEntries))];
    }

    /// <summary>The paths every rootfs ignores: the mount points of the kernel's virtual file systems.</summary>
    public static IReadOnlyList<string> Defaults { get; } = ["/proc", "/sys", "/dev"];

    /// <summary>The default set alone.</summary>
    public static IgnoredPaths Default { get; } = new();

    /// <summary>The patterns, cleaned.</summary>
    public IReadOnlyList<ContainerPath> Patterns { get; }

    /// <summary>A copy that also ignores <paramref name="more"/>.</summary>
    public IgnoredPaths With(params string[] more) => new(Patterns.Select(p => p.Value).Concat(more));

    /// <summary>Whether <paramref name="path"/> or one of its ancestors is ignored.</summary>
    public bool IsIgnored(ContainerPath path) => IsIgnored(path.Value);

    /// <summary>Whether the absolute, cleaned container path <paramref name="path"/> or one of its ancestors is ignored.</summary>
    public bool IsIgnored(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var pattern in _patterns)
        {
            if (Matches(pattern, path))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether an ignored path lies strictly below <paramref name="path"/> (an absolute, cleaned container path):
    /// such a directory may be written into but never removed, or what is ignored would go with it.
    /// </summary>
    public bool HoldsIgnored(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var depth = path == "/" ? 0 : path.Count(c => c == '/');
        foreach (var pattern in _patterns)
        {
            if (pattern.Length > depth && Matches(pattern.AsSpan(0, depth), path))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(ReadOnlySpan<string> pattern, string path)
    {
        var position = 1;
        foreach (var element in pattern)
        {
            if (position > path.Length)
            {
                return false;
            }

            var end = path.IndexOf('/', position);
            if (end < 0)
            {
                end = path.Length;
            }

            var name = path.AsSpan(position, end - position);
            var isGlob = element.AsSpan().IndexOfAny('*', '?') >= 0;
            if (isGlob ? !FileSystemName.MatchesSimpleExpression(element, name, ignoreCase: false) : !name.SequenceEqual(element))
            {
                return false;
            }

            position = end + 1;
        }

        return true;
    }
}
