using Kaniko.Engine.Context;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution.Add;

/// <summary>
/// The owners of what <c>ADD</c> unpacks: the archive's, or the <c>--chown</c> user's when one is given (BuildKit
/// passes it to the untar as its chown option); modes stay the archive's either way.
/// </summary>
public sealed class AddArchiveOwnerTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-add-owner-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null, "5:6 5:6 5:6")]
    [InlineData("7:8", "7:8 7:8 7:8")]
    [InlineData("0", "0:0 0:0 0:0")]
    public async Task Chown_replaces_the_owners_of_unpacked_entries(string? chown, string expected)
    {
        var context = _temp.Combine("context");
        Directory.CreateDirectory(context);
        await File.WriteAllBytesAsync(Path.Combine(context, "a.tar"), new TarBuilder()
            .Directory("d/", (UnixFileMode)0x1C0, uid: 5, gid: 6)
            .File("d/f", "x", (UnixFileMode)0x180, uid: 5, gid: 6)
            .HardLink("d/g", "d/f", (UnixFileMode)0x180, uid: 5, gid: 6)
            .ToTar(), TestContext.Current.CancellationToken);
        using var directory = new DirectoryBuildContext(context, DockerIgnoreMatcher.Empty);
        var plan = CopyPlanner.Plan(directory, new CopyRequest { SourcePaths = ["a.tar"], Destination = "/out/", IsAdd = true, Chown = chown });

        var entries = await CopyLayerEntries.CreateAsync(
            plan, directory, StageFilesystem.Empty(), DateTimeOffset.UnixEpoch, null, new ArchiveExtractor(_temp.Combine("scratch")),
            TestContext.Current.CancellationToken);

        var unpacked = entries.Where(e => LayerEntry.NormalizePath(e.Path).StartsWith("out/d", StringComparison.Ordinal))
            .OrderBy(e => LayerEntry.NormalizePath(e.Path), StringComparer.Ordinal).ToList();
        Assert.Equal(expected, string.Join(' ', unpacked.Select(e => $"{e.Uid}:{e.Gid}")));
        Assert.Equal([(UnixFileMode)0x1C0, (UnixFileMode)0x180, (UnixFileMode)0x180], unpacked.Select(e => e.Mode));
        Assert.Equal(LayerEntryType.HardLink, unpacked[2].Type);
    }
}
