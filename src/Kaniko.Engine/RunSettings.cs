namespace Kaniko.Engine;

/// <summary>How <c>RUN</c> steps are isolated from this system (<c>--isolation</c>).</summary>
public enum IsolationKind
{
    /// <summary>The best isolation available, chosen by probing: bubblewrap, then chroot as root. Never <see cref="None"/>.</summary>
    Automatic,

    /// <summary><c>bwrap</c>: new mount, PID, IPC and UTS namespaces, the stage's root filesystem as <c>/</c>.</summary>
    Bubblewrap,

    /// <summary>Root without namespaces (an unprivileged container): <c>chroot</c> into the stage's root filesystem.</summary>
    Chroot,

    /// <summary>kaniko's own mode: no isolation, the steps change <c>/</c> of this system. Only when asked for.</summary>
    None,
}

/// <summary>How the root filesystem of a stage that runs steps is made (<c>--stage-root</c>).</summary>
public enum StageRootKind
{
    /// <summary>
    /// An overlay of the stage's layers, each unpacked once into the layer store of the cache directory, when this
    /// machine can mount one (see docs/storage.md); else <see cref="Unpack"/>. The default.
    /// </summary>
    Automatic,

    /// <summary>The stage's layers are unpacked into a folder of its own and a step's changes found by a diff.</summary>
    Unpack,

    /// <summary>
    /// An overlay mounted by the <c>fuse-overlayfs</c> program, the kernel's overlay passed over: the rung the ladder
    /// takes where the kernel refuses an overlay in a user namespace, forced (for tests, or a kernel whose overlay
    /// misbehaves). The build fails (<c>KANIKO4740</c>) where this rung cannot be used.
    /// </summary>
    FuseOverlay,
}

/// <summary>How a snapshot after a <c>RUN</c> step decides that a path changed (<c>--snapshot-mode</c>).</summary>
public enum SnapshotKind
{
    /// <summary>Metadata decides; a file whose change time or inode alone moved is hashed. The default.</summary>
    Redo,

    /// <summary>Content decides: a file whose metadata moved is in the layer only when its content differs.</summary>
    Full,

    /// <summary>Only the modification time (and the kind) decides. Fastest.</summary>
    Time,
}
