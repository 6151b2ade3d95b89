using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// A build context made available as a local directory: the directory itself for a local context, or a private
/// scratch copy (an unpacked archive, a git checkout) that is deleted when this is disposed.
/// </summary>
internal sealed class MaterializedContext : IDisposable
{
    private readonly string? _scratchDirectory;

    internal MaterializedContext(string directory, string description, string? scratchDirectory)
    {
        Directory = directory;
        Description = description;
        _scratchDirectory = scratchDirectory;
    }

    /// <summary>The context's root directory (after <c>--context-sub-path</c>).</summary>
    public string Directory { get; }

    /// <summary>The context argument for messages, credentials redacted.</summary>
    public string Description { get; }

    /// <summary>Whether the directory is a scratch copy that disposing deletes.</summary>
    public bool IsScratchCopy => _scratchDirectory is not null;

    /// <summary>
    /// Finds the Dockerfile as <see cref="DockerfileLocator"/> does. In a scratch copy (an archive or a checkout,
    /// which may come from anyone) a Dockerfile inside the context is resolved inside it (<see cref="SecurePath"/>):
    /// a <c>Dockerfile</c> that is a link to <c>/etc/shadow</c> names <c>etc/shadow</c> of the context, not the host's
    /// file; and the ignore files beside it and at the root, when they are links, are replaced by what they name inside
    /// the context (or removed), so reading them never reads outside.
    /// </summary>
    /// <param name="dockerfileArgument">The <c>--dockerfile</c> value, or <c>null</c>.</param>
    /// <exception cref="KanikoException"><c>KANIKO2005</c> when there is no Dockerfile.</exception>
    public DockerfileLocation ResolveDockerfile(string? dockerfileArgument)
    {
        var location = DockerfileLocator.Resolve(dockerfileArgument, Directory);
        if (!IsScratchCopy || !location.FullPath.StartsWith(Directory + "/", StringComparison.Ordinal))
        {
            return location;
        }

        var contained = SecurePath.Resolve(Directory, location.FullPath[Directory.Length..]);
        if (!File.Exists(contained))
        {
            throw new KanikoException(DiagnosticCodes.DockerfileNotFound, string.Format(
                CultureInfo.InvariantCulture, Strings.DockerfileNotFound, location.DisplayName, "'" + contained + "'"));
        }

        PinInside(contained + BuildContextFactory.IgnoreFileName);
        PinInside(Path.Combine(Directory, BuildContextFactory.IgnoreFileName));
        return location with { FullPath = contained };
    }

    // A link at hostPath (whose folder is a real folder of the copy) becomes a copy of what it names inside the context.
    private void PinInside(string hostPath)
    {
        if (new FileInfo(hostPath).LinkTarget is null)
        {
            return;
        }

        var contained = SecurePath.Resolve(Directory, hostPath[Directory.Length..]);
        File.Delete(hostPath);
        if (File.Exists(contained))
        {
            File.Copy(contained, hostPath);
        }
    }

    /// <summary>Deletes the scratch copy, if any.</summary>
    public void Dispose()
    {
        if (_scratchDirectory is not null && System.IO.Directory.Exists(_scratchDirectory))
        {
            ScratchDirectories.Delete(_scratchDirectory);
        }
    }
}
