using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// What the <c>RUN --mount</c>s of one step read: the build context (after <c>.dockerignore</c>, read once per build)
/// when a mount names no <c>from</c>, else the files of the stage or image it names, read once per build by the
/// stage executor (the same snapshots <c>COPY --from</c> reads).
/// </summary>
/// <param name="context">The build context, for file contents.</param>
/// <param name="tree">The build context's entries.</param>
/// <param name="openFrom">Reads a stage's or image's files; errors are located at the given range.</param>
/// <param name="range">The step's lines.</param>
internal sealed class StageMountSources(
    IBuildContext context, BuildContextTree tree, Func<string, SourceRange, CancellationToken, Task<MountSource>> openFrom, SourceRange range)
    : IMountSourceProvider
{
    /// <inheritdoc />
    public Task<MountSource> OpenAsync(string? from, CancellationToken cancellationToken) =>
        from is null
            ? Task.FromResult(new MountSource("the build context", context, tree, _ => CopyOwner.Root))
            : openFrom(from, range, cancellationToken);
}
