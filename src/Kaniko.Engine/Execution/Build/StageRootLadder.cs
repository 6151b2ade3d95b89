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
/// <c>userxattr</c>, or <c>fuse-overlayfs</c> where the kernel refuses, each with a store in its own form), or the
/// unpack-and-diff path. The ladder and the rung taken
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

    /// <summary>
    /// The rung for a build run with <paramref name="options"/> on this machine, reported on <paramref name="events"/>;
    /// throws <c>KANIKO4740</c> when <c>--stage-root=fuse-overlay</c> asks for a rung this machine cannot give.
    /// </summary>
    public static StageRootLadder Choose(ExecutionOptions options, IBuildEventSink events)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = OverlayHost.Current();
        var choice = OverlayLadder.Choose(host, fuseOnly: options.StageRootRung == StageRootRung.FuseOverlay);
        if (options.StageRootRung == StageRootRung.FuseOverlay && choice.Rung != OverlayRung.FuseOverlayfs)
        {
            throw new KanikoException(DiagnosticCodes.StageRootFuseUnavailable, string.Format(
                System.Globalization.CultureInfo.InvariantCulture, Strings.StageRootFuseUnavailable, OverlayLadder.FuseProblem(host)));
        }

        var reason = options switch
        {
            { StageRootRung: StageRootRung.Unpack } => "--stage-root=unpack",
            { SingleSnapshot: true } => "--single-snapshot compares a stage with its base",
            { SnapshotMode: not SnapshotMode.Redo } => "--snapshot-mode=" + options.SnapshotMode.ToString().ToLowerInvariant() + " is decided by a diff of the whole root",
            _ => null,
        };
        var store = reason is null && choice.Rung != OverlayRung.Unpack
            ? new LayerStore(options.CacheDirectory, LayerStoreSize.Resolve(options.LayerStoreSize, options.CacheDirectory), choice.Form)
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
