using System.Globalization;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context;

/// <summary>Opens the build context named on the command line (<c>--context</c>) with its ignore file.</summary>
internal static partial class BuildContextFactory
{
    /// <summary>The file name of the context-wide ignore file.</summary>
    public const string IgnoreFileName = ".dockerignore";

    // Bucket stores kaniko knows: the host registers their sources (IRemoteContextSource), or they are not supported.
    private static readonly string[] RemoteStoreSchemes = ["s3", "gs"];

    /// <summary>
    /// Resolves the context argument and picks the ignore file. The argument is a local path or <c>dir://PATH</c>:
    /// archives, git repositories, URLs and buckets are made local first by <c>Context.Sources.ContextMaterializer</c>, and
    /// a bucket scheme (<c>s3://</c>, <c>gs://</c>) that reaches this method had no registered source
    /// (<c>KANIKO2001</c>); other schemes are unknown (<c>KANIKO2002</c>). The ignore file follows BuildKit's rule:
    /// <c>&lt;Dockerfile name&gt;.dockerignore</c> beside the Dockerfile when it exists, else <c>.dockerignore</c> at
    /// the context root, else none.
    /// </summary>
    /// <param name="contextArgument">The <c>--context</c> value.</param>
    /// <param name="dockerfilePath">The <c>--dockerfile</c> value (resolved as <see cref="DockerfileLocator"/> does),
    /// or <c>null</c> for <c>Dockerfile</c> in the context.</param>
    /// <exception cref="KanikoException">The argument is not a local directory, the directory is missing, or the ignore file
    /// holds a malformed pattern.</exception>
    public static IBuildContext Open(string contextArgument, string? dockerfilePath)
    {
        var directory = ContextDirectory(contextArgument);
        var ignore = LoadIgnore(directory, dockerfilePath);
        return new DirectoryBuildContext(directory, ignore);
    }

    /// <summary>The ignore file that applies, or <c>null</c> when there is none.</summary>
    /// <param name="contextDirectory">The context directory.</param>
    /// <param name="dockerfilePath">The <c>--dockerfile</c> value, or <c>null</c>.</param>
    public static string? FindIgnoreFile(string contextDirectory, string? dockerfilePath)
    {
        var candidates = DockerfileLocator.Candidates(dockerfilePath, contextDirectory, null);
        var dockerfile = candidates.FirstOrDefault(File.Exists) ?? candidates[0];
        var specific = dockerfile + IgnoreFileName;
        if (File.Exists(specific))
        {
            return specific;
        }

        var shared = Path.Combine(Path.GetFullPath(contextDirectory), IgnoreFileName);
        return File.Exists(shared) ? shared : null;
    }

    private static DockerIgnoreMatcher LoadIgnore(string directory, string? dockerfilePath)
    {
        var ignoreFile = FindIgnoreFile(directory, dockerfilePath);
        if (ignoreFile is null)
        {
            return DockerIgnoreMatcher.Empty;
        }

        var relative = Path.GetRelativePath(directory, ignoreFile);
        var displayName = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? ignoreFile
            : relative.Replace('\\', '/');
        return DockerIgnoreMatcher.Parse(File.ReadAllBytes(ignoreFile), displayName);
    }

    internal static string ContextDirectory(string contextArgument)
    {
        ArgumentNullException.ThrowIfNull(contextArgument);
        var path = contextArgument;
        var scheme = SchemePattern().Match(contextArgument);
        if (scheme.Success)
        {
            var name = scheme.Groups[1].Value.ToLowerInvariant();
            if (name != "dir")
            {
                if (RemoteStoreSchemes.Contains(name))
                {
                    throw new KanikoException(
                        DiagnosticCodes.ContextSourceNotSupported,
                        string.Format(CultureInfo.InvariantCulture, Strings.ContextSourceNotSupported, name + "://"));
                }

                throw new KanikoException(
                    DiagnosticCodes.ContextSchemeUnknown,
                    string.Format(CultureInfo.InvariantCulture, Strings.ContextSchemeUnknown, name, contextArgument));
            }

            path = contextArgument[scheme.Length..];
        }

        var full = path.Length == 0 ? path : Path.GetFullPath(path);
        if (full.Length == 0 || !Path.Exists(full))
        {
            throw new KanikoException(
                DiagnosticCodes.ContextDirectoryNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextDirectoryNotFound, path));
        }

        if (!Directory.Exists(full))
        {
            throw new KanikoException(
                DiagnosticCodes.ContextNotADirectory,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextNotADirectory, path));
        }

        return full;
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePattern();
}
