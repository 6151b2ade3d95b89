using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>An expanded <c>COPY</c> or <c>ADD</c> from the build context, with the stage state it needs.</summary>
internal sealed record CopyRequest
{
    /// <summary>The source paths, expanded, relative to the context root (a leading <c>/</c> is the root too).</summary>
    public required IReadOnlyList<string> SourcePaths { get; init; }

    /// <summary>The heredoc sources, their content already expanded when their marker asked for it.</summary>
    public IReadOnlyList<InlineSource> InlineSources { get; init; } = [];

    /// <summary>The destination as written, expanded.</summary>
    public required string Destination { get; init; }

    /// <summary>The stage's <c>WORKDIR</c>.</summary>
    public ContainerPath WorkingDirectory { get; init; } = ContainerPath.Root;

    /// <summary><c>--chown</c>, expanded, or <c>null</c>.</summary>
    public string? Chown { get; init; }

    /// <summary><c>--chmod</c>, expanded, or <c>null</c>.</summary>
    public string? Chmod { get; init; }

    /// <summary><c>--parents</c>.</summary>
    public bool Parents { get; init; }

    /// <summary><c>--exclude</c> patterns, in order.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Whether the instruction is <c>ADD</c> (local archives may be unpacked; URLs are allowed).</summary>
    public bool IsAdd { get; init; }

    /// <summary><c>ADD --unpack</c>; <c>null</c> means the default (unpack local archives for ADD).</summary>
    public bool? Unpack { get; init; }

    /// <summary>The instruction's lines, for messages.</summary>
    public SourceRange? Range { get; init; }

    /// <summary>The fixed time every copied entry gets (<c>SOURCE_DATE_EPOCH</c>), or <c>null</c> to keep the sources' times.</summary>
    public DateTimeOffset? CreatedTime { get; init; }

    /// <summary>
    /// Whether a path is a directory in the stage's filesystem before this copy (symbolic links followed). BuildKit
    /// copies a file into a destination that exists as a directory even without a trailing <c>/</c>. <c>null</c>
    /// when the stage is empty (<c>scratch</c>).
    /// </summary>
    public Func<ContainerPath, bool>? IsExistingDirectory { get; init; }

    /// <summary>
    /// The path the stage's symbolic links lead a destination to (every component followed, the last too), as
    /// BuildKit resolves a copy's destination inside the root; <c>null</c> when the stage has no links.
    /// </summary>
    public Func<ContainerPath, ContainerPath>? ResolveDestination { get; init; }

    /// <summary>The stage's users and groups, for <c>--chown</c> names.</summary>
    public IUserDatabase Users { get; init; } = EtcUserDatabase.Empty;

    /// <summary>The request for an expanded <c>COPY</c> from the build context (one without <c>--from</c>).</summary>
    /// <exception cref="ArgumentException">The instruction copies from a stage or an image.</exception>
    public static CopyRequest FromInstruction(CopyInstruction copy, ContainerPath workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(copy);
        if (copy.From is not null)
        {
            throw new ArgumentException("COPY --from reads a stage or an image, not the build context", nameof(copy));
        }

        return new CopyRequest
        {
            SourcePaths = copy.Sources.SourcePaths,
            InlineSources = copy.Sources.SourceContents,
            Destination = copy.Sources.Destination,
            WorkingDirectory = workingDirectory,
            Chown = copy.Chown,
            Chmod = copy.Chmod,
            Parents = copy.Parents,
            Excludes = copy.Excludes,
            Range = copy.Range,
        };
    }

    /// <summary>The request for an expanded <c>ADD</c>.</summary>
    public static CopyRequest FromInstruction(AddInstruction add, ContainerPath workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(add);
        return new CopyRequest
        {
            SourcePaths = add.Sources.SourcePaths,
            InlineSources = add.Sources.SourceContents,
            Destination = add.Sources.Destination,
            WorkingDirectory = workingDirectory,
            Chown = add.Chown,
            Chmod = add.Chmod,
            Excludes = add.Excludes,
            IsAdd = true,
            Unpack = add.Unpack,
            Range = add.Range,
        };
    }
}
