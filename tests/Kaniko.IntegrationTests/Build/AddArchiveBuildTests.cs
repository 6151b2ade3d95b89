using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using System.Text;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary><c>ADD</c> of local archives: unpacked with the archive's owners and modes, decided by content.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class AddArchiveBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_local_archive_is_unpacked_and_a_file_named_like_one_is_copied()
    {
        WriteArchive("tools.tar.gz");
        _build.Write("notes.tar.gz", "just text\n");
        _build.Write("Dockerfile", "FROM scratch\nADD --chown=5:5 tools.tar.gz notes.tar.gz /opt/\n");
        var reference = _build.NewReference("addarchive");

        await _build.BuildAsync(_build.Request(reference));

        var layer = Assert.Single(await _build.LayerEntriesAsync(reference)).ToDictionary(e => e.Name);
        // The archive's mode stays; --chown owns the unpacked entries too (BuildKit's unpack chowns since 2025).
        Assert.Equal(((UnixFileMode)0x1ED, 5, 5), (layer["opt/pkg/bin/tool"].Mode, layer["opt/pkg/bin/tool"].Uid, layer["opt/pkg/bin/tool"].Gid));
        Assert.Equal((5, 5), (layer["opt/notes.tar.gz"].Uid, layer["opt/notes.tar.gz"].Gid));
        Assert.Equal((5, 5), (layer["opt/"].Uid, layer["opt/"].Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("readme\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/pkg/README"), BuildHarness.Cancellation));
        Assert.Equal("just text\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/notes.tar.gz"), BuildHarness.Cancellation));
    }

    private void WriteArchive(string name)
    {
        using var file = File.Create(Path.Combine(_build.ContextDirectory, name));
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0x1ED });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "pkg/README") { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes("readme\n")) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "pkg/bin/tool") { Mode = (UnixFileMode)0x1ED, Uid = 1000, Gid = 1001, DataStream = new MemoryStream(Encoding.UTF8.GetBytes("#!/bin/sh\n")) });
    }
}
