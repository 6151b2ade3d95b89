using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The working directory rules of BuildKit's <c>system.NormalizeWorkdir</c> for Linux images: a relative path is
/// joined to the current directory and cleaned as Go's <c>path.Join</c> does; an absolute path is kept exactly as
/// written (so <c>WORKDIR /app/</c> stays <c>/app/</c>); an empty path keeps the current directory.
/// </summary>
internal static class ContainerWorkdir
{
    /// <summary>The directory <paramref name="path"/> names when the current one is <paramref name="current"/>.</summary>
    public static string Normalize(string? current, string path)
    {
        var parent = string.IsNullOrEmpty(current) ? "/" : current;
        if (parent[0] != '/')
        {
            parent = GoPath.Clean("/" + parent);
        }

        if (path.Length == 0)
        {
            path = parent;
        }

        return path[0] == '/' ? path : GoPath.Clean(parent + "/" + path);
    }
}
