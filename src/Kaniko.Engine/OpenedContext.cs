using Kaniko.Engine.Context;
using Kaniko.Engine.Context.Sources;

namespace Kaniko.Engine;

/// <summary>
/// The context of a request made local (<see cref="ContextMaterializer"/>), opened with its ignore file, and its
/// Dockerfile found inside it: what planning and building start from. Disposing deletes a scratch copy.
/// </summary>
internal sealed class OpenedContext : IDisposable
{
    private OpenedContext(MaterializedContext materialized, IBuildContext files, DockerfileLocation dockerfile)
    {
        Materialized = materialized;
        Files = files;
        Dockerfile = dockerfile;
    }

    /// <summary>The local directory of the context.</summary>
    public MaterializedContext Materialized { get; }

    /// <summary>The context's files and ignore rules.</summary>
    public IBuildContext Files { get; }

    /// <summary>The Dockerfile, a relative <c>--dockerfile</c> looked for inside the local directory as kaniko does.</summary>
    public DockerfileLocation Dockerfile { get; }

    /// <summary>Materialises and opens the context of <paramref name="request"/>.</summary>
    public static async Task<OpenedContext> OpenAsync(BuildRequest request, CancellationToken cancellationToken)
    {
        var options = new ContextSourceOptions
        {
            SubPath = request.ContextSubPath,
            Git = request.Git.Options,
            RemoteSources = request.RemoteContextSources.ToSources(),
            ScratchRoot = request.WorkDirectoryRoot,
            OpenStandardInput = request.StandardInput,
        };
        var materialized = await ContextMaterializer.MaterializeAsync(request.Context, options, cancellationToken).ConfigureAwait(false);
        try
        {
            var dockerfile = materialized.ResolveDockerfile(request.Dockerfile);
            var files = SpecialFileGuard.Wrap(BuildContextFactory.Open(materialized.Directory, dockerfile.FullPath));
            try
            {
                return new OpenedContext(materialized, files, dockerfile);
            }
            catch
            {
                files.Dispose();
                throw;
            }
        }
        catch
        {
            materialized.Dispose();
            throw;
        }
    }

    /// <summary>Opens the context synchronously, for the planner's synchronous entry points.</summary>
    public static OpenedContext Open(BuildRequest request) => OpenAsync(request, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Closes the context and deletes a scratch copy.</summary>
    public void Dispose()
    {
        Files.Dispose();
        Materialized.Dispose();
    }
}
