using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// A probe of a stage that has not read its base's tree answers as the tree would below fresh directories (where the
/// base has nothing) and notes every other question (<see cref="StageFilesystem.TouchedUnknown"/>); the base layers
/// are never read (the stage here has one that cannot be opened).
/// </summary>
public sealed class StageFilesystemProbeTests
{
    private static ContainerPath P(string path) => ContainerPath.Parse(path);

    // A stage on a base it cannot read, whose WORKDIR /src (layer 1) found nothing there.
    private static StageFilesystem WithFreshSrc()
    {
        var filesystem = StageFilesystem.Of([new UnreadableLayer()]);
        filesystem.AddDirectory(P("/src"), LayerEntry.DefaultDirectoryMode, CopyOwner.Root);
        filesystem.MarkFresh(P("/src"), 1);
        filesystem.Defer();
        return filesystem;
    }

    [Fact]
    public void Below_a_fresh_directory_the_probe_answers_as_the_whole_tree()
    {
        var probe = WithFreshSrc().Probe();

        Assert.True(probe.IsComplete);
        Assert.True(probe.IsDirectory(P("/src")));
        Assert.False(probe.IsDirectory(P("/src/obj")));
        Assert.Equal([P("/src/obj")], probe.MissingAncestors(P("/src/obj/x.json")));
        Assert.Empty(probe.MissingAncestors(P("/src/app.csproj")));
        Assert.Equal(P("/src/app.csproj"), probe.Resolve(P("/src/app.csproj")));
        // The parents of a fresh directory are directories: it was made through them.
        Assert.True(probe.IsDirectory(P("/")));
        Assert.False(probe.TouchedUnknown);
    }

    [Theory]
    [InlineData("/etc")]
    [InlineData("/usr/share/app/x")]
    public void A_question_outside_the_fresh_directories_is_noted(string path)
    {
        var probe = WithFreshSrc().Probe();

        _ = probe.MissingAncestors(P(path));

        Assert.True(probe.TouchedUnknown);
    }

    [Fact]
    public void A_link_to_follow_or_the_metadata_of_a_parent_is_noted()
    {
        var linked = WithFreshSrc();
        linked.AddLink(P("/src/out"), "/usr/share/out");
        var follows = linked.Probe();
        _ = follows.Resolve(P("/src/out/app.dll"));
        var asks = WithFreshSrc().Probe();
        _ = asks.TryGetDirectory(P("/"), out _);
        _ = asks.TryGetDirectory(P("/usr"), out _);

        Assert.True(follows.TouchedUnknown);
        Assert.True(asks.TouchedUnknown);
    }

    [Fact]
    public void What_a_probe_wrote_is_adopted_and_a_deleted_fresh_directory_is_fresh_no_more()
    {
        var filesystem = WithFreshSrc();
        var probe = filesystem.Probe();
        probe.AddDirectory(P("/src/bin"), LayerEntry.DefaultDirectoryMode, CopyOwner.Root);

        filesystem.Adopt(probe);
        filesystem.Record([new FileChange("/src", FileChangeKind.Deleted, null)]);

        Assert.False(filesystem.IsComplete);
        Assert.True(filesystem.IsDeferred);
        Assert.Null(filesystem.FreshLayerOf(P("/src/bin")));
        Assert.False(filesystem.IsDirectory(P("/src/bin")));
    }

    [Fact]
    public void A_directory_a_cached_run_added_is_fresh_from_its_layer()
    {
        var filesystem = StageFilesystem.Of([new UnreadableLayer()]);
        var directory = new FileEntryMetadata(FileEntryKind.Directory, LayerEntry.DefaultDirectoryMode, 0, 0, 0, 0, 0, 0, 0, 0, 1, null);

        filesystem.Record(
            [new FileChange("/app", FileChangeKind.Added, directory), new FileChange("/etc", FileChangeKind.Modified, directory)], layerIndex: 3);

        Assert.Equal(3, filesystem.FreshLayerOf(P("/app/sub/x.dll")));
        Assert.Null(filesystem.FreshLayerOf(P("/etc/x")));
    }

    // A base layer whose bytes must not be read: the probe never needs them.
    private sealed class UnreadableLayer : ILayer
    {
        public Digest Digest => Digest.Compute([1]);

        public Digest DiffId => Digest.Compute([2]);

        public long Size => 1;

        public MediaType MediaType => MediaType.OciLayerGzip;

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the base was read");

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the base was read");
    }
}
