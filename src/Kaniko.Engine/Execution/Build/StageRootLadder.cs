using Kaniko.Engine.Caching;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Storage;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Decides once per build how the roots of stages that run steps are made: an overlay of layers kept in the
/// <see cref="LayerStore"/> (kernel overlayfs as root of the machine, or as root of a user namespace with
/// <c>userxattr</c>, each with a store in its own form), or the unpack-and-diff path. The ladder and the rung taken
/// are reported as the isolation ladder is, with why each rung above was passed over.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class StageRootLadder
{
    private readonly LayerStore? _store;
    private readonly OverlayRung _rung;
    private readonly IBuildEventSink _events;
    private readonly LayerHeaderCache _headers;

    private StageRootLadder(LayerStore? store, OverlayRung rung, IBuildEventSink events, LayerHeaderCache headers)
    {
        _store = store;
        _rung = rung;
        _events = events;
        _headers = headers;
    }

    /// <summary>The rung for a build run with <paramref name="options"/> on this machine, reported on <paramref name="events"/>.</summary>
    public static StageRootLadder Choose(ExecutionOptions options, IBuildEventSink events)
    {
        ArgumentNullException.ThrowIfNull(options);
        var choice = OverlayLadder.Choose(OverlayHost.Current());
        var reason = options switch
        {
            { OverlayStageRoots: false } => "--stage-root=unpack",
            { SingleSnapshot: true } => "--single-snapshot compares a stage with its base",
            { SnapshotMode: not SnapshotMode.Redo } => "--snapshot-mode=" + options.SnapshotMode.ToString().ToLowerInvariant() + " is decided by a diff of the whole root",
            _ when choice.Rung is OverlayRung.FuseOverlayfs => choice.Rung + " is not used for stage roots yet",
            _ => null,
        };
        var overlay = reason is null && choice.Rung is OverlayRung.KernelOverlay or OverlayRung.KernelOverlayInUserNamespace;
        var store = overlay
            ? new LayerStore(options.CacheDirectory, LayerStoreSize.Resolve(options.LayerStoreSize, options.CacheDirectory), OverlayForm.Of(choice.Rung))
            : null;
        events.Report(new MessageEvent("RUN stage roots: " + (store is null ? "unpacked" : "overlay of the layer store")
            + " (" + string.Join("; ", choice.Findings) + (reason is null ? "" : "; unpack because " + reason)
            + (store is null ? "" : "; " + LimitText(store.SizeLimit)) + ")"));
        // Beside the base-image blobs, where the stages' tree reads look for them.
        return new StageRootLadder(store, choice.Rung, events, new LayerHeaderCache(options.BaseImageCache.Root));
    }

    private static string LimitText(long limit) => limit == 0 ? "layer store: no size limit" : "layer store: at most " + LayerStoreSize.Format(limit);

    /// <summary>An overlay root whose own folders go in <paramref name="folder"/>; null on the unpack rung.</summary>
    public OverlayStageRoot? Overlay(string folder) =>
        _store is null ? null : new OverlayStageRoot(_store, _rung, folder, _events, _headers);
}
