using System.Text;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// The symbolic links a stage knows, and destinations resolved through them as BuildKit's copy resolves them
/// (<see cref="StageFilesystem.Resolve"/>), so that a copy into a merged-/usr image writes through <c>/bin</c>.
/// </summary>
public sealed class StageFilesystemLinkTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-stagefs-");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static ContainerPath P(string path) => ContainerPath.Parse(path);

    private async Task<StageFilesystem> MergedUsrAsync()
    {
        var layer = await new LayerWriter().WriteAsync(
            [
                LayerEntry.Directory("usr"), LayerEntry.Directory("usr/bin"), LayerEntry.Directory("usr/lib"),
                LayerEntry.SymbolicLink("bin", "usr/bin"), LayerEntry.SymbolicLink("lib", "/usr/lib"),
                LayerEntry.SymbolicLink("usr/lib/loop", "../../lib/loop"), LayerEntry.SymbolicLink("usr/bin/up", "../lib"),
                LayerEntry.File("usr/bin/tool", Encoding.UTF8.GetBytes("t")),
            ],
            _temp.Combine("blobs"), Cancellation);
        var filesystem = StageFilesystem.Of([layer]);
        await filesystem.EnsureCompleteAsync(Cancellation);
        return filesystem;
    }

    [Fact]
    public async Task Relative_and_absolute_links_of_the_base_are_followed_in_every_component()
    {
        var filesystem = await MergedUsrAsync();

        Assert.Equal(P("/usr/bin/app"), filesystem.Resolve(P("/bin/app")));
        Assert.Equal(P("/usr/lib/x/y"), filesystem.Resolve(P("/lib/x/y")));
        Assert.Equal(P("/usr/bin"), filesystem.Resolve(P("/bin")));
        Assert.Equal(P("/usr/lib/x"), filesystem.Resolve(P("/bin/up/x")));
        Assert.Equal(P("/opt/app"), filesystem.Resolve(P("/opt/app")));
        Assert.False(filesystem.IsDirectory(P("/bin")));
        Assert.True(filesystem.IsDirectory(filesystem.Resolve(P("/bin"))));
    }

    [Fact]
    public async Task A_link_loop_stops_after_255_links()
    {
        var filesystem = await MergedUsrAsync();

        // usr/lib/loop -> ../../lib/loop -> (lib is usr/lib) usr/lib/loop ...: resolution gives up and keeps a path.
        var resolved = filesystem.Resolve(P("/lib/loop/file"));

        Assert.EndsWith("/file", resolved.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_written_by_the_stage_count_and_a_file_or_directory_over_one_removes_it()
    {
        var filesystem = StageFilesystem.Empty();
        filesystem.AddDirectory(P("/opt/real"), LayerEntry.DefaultDirectoryMode, CopyOwner.Root);
        filesystem.AddLink(P("/current"), "/opt/real");

        Assert.Equal(P("/opt/real/f"), filesystem.Resolve(P("/current/f")));

        filesystem.RemoveLink(P("/current"));
        Assert.Equal(P("/current/f"), filesystem.Resolve(P("/current/f")));

        filesystem.AddLink(P("/current"), "opt/real");
        filesystem.AddDirectory(P("/current"), LayerEntry.DefaultDirectoryMode, CopyOwner.Root);
        Assert.Equal(P("/current/f"), filesystem.Resolve(P("/current/f")));
    }

    [Fact]
    public async Task A_run_step_that_makes_or_deletes_a_link_is_recorded()
    {
        var filesystem = await MergedUsrAsync();
        var link = new FileEntryMetadata(FileEntryKind.SymbolicLink, (UnixFileMode)0x1FF, 0, 0, 8, 0, 0, 0, 1, 1, 1, "/usr/lib");

        filesystem.Record([new FileChange("/libx", FileChangeKind.Added, link), new FileChange("/bin", FileChangeKind.Deleted, null)]);

        Assert.Equal(P("/usr/lib/a"), filesystem.Resolve(P("/libx/a")));
        Assert.Equal(P("/bin/a"), filesystem.Resolve(P("/bin/a")));
    }
}
