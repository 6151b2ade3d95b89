using System.Formats.Tar;
using System.Runtime.Versioning;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary><c>COPY --from</c> an earlier stage or an image, built, pushed and read back.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class CopyFromBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Copy_from_a_stage_keeps_owners_modes_and_links()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference} AS build
            COPY --chown=nobody:nogroup app/ /out/
            COPY --chmod=0750 tool.sh /out/bin/

            FROM scratch
            COPY --from=build /out/ /app/
            COPY --from=0 /bin/sh /bin/busybox /bin/
            COPY --from=build --chown=42:43 /etc/group /etc/
            """);
        _build.Write("app/readme.txt", "readme\n");
        _build.Write("app/conf/settings.ini", "[a]\n");
        _build.Write("tool.sh", "#!/bin/sh\n");
        var reference = _build.NewReference("copyfrom");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(3, layers.Count);
        var app = layers[0].ToDictionary(e => e.Name);
        Assert.Equal((65534, 65534), (app["app/readme.txt"].Uid, app["app/readme.txt"].Gid));
        Assert.Equal((65534, 65534), (app["app/conf/"].Uid, app["app/conf/"].Gid));
        Assert.Equal(((UnixFileMode)0x1E8, 0, 0), (app["app/bin/tool.sh"].Mode, app["app/bin/tool.sh"].Uid, app["app/bin/tool.sh"].Gid));
        Assert.Equal((0, 0), (app["app/"].Uid, app["app/"].Gid));
        var bin = layers[1].ToDictionary(e => e.Name);
        // A link named as a source is followed: /bin/sh arrives as the busybox binary.
        Assert.Equal(TarEntryType.RegularFile, bin["bin/sh"].Type);
        Assert.Equal(TarEntryType.RegularFile, bin["bin/busybox"].Type);
        Assert.Equal((42, 43), (layers[2].Single(e => e.Name == "etc/group").Uid, layers[2].Single(e => e.Name == "etc/group").Gid));

        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("readme\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "app/readme.txt"), BuildHarness.Cancellation));
        Assert.Equal("[a]\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "app/conf/settings.ini"), BuildHarness.Cancellation));
        Assert.Equal(new FileInfo(BaseImages.BusyboxBinary).Length, new FileInfo(Path.Combine(rootfs, "bin/busybox")).Length);
        Assert.Equal("root:x:0:\nnogroup:x:65534:\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/group"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Copy_from_an_image_reads_it_from_the_registry()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM scratch\nCOPY --from={busybox.Reference} /etc/passwd /etc/passwd\n");
        var reference = _build.NewReference("fromimage");

        await _build.BuildAsync(_build.Request(reference));

        var rootfs = await _build.UnpackAsync(reference);
        Assert.StartsWith("root:x:0:0:", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/passwd"), BuildHarness.Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_from_an_image_keeps_the_hard_links_of_one_source()
    {
        // The image's layer holds the links as the tar's hard link entries.
        using (var archive = new TarWriter(File.Create(Path.Combine(_build.ContextDirectory, "links.tar")), TarEntryFormat.Pax))
        {
            archive.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "a") { DataStream = new MemoryStream("shared\n"u8.ToArray()), Mode = (UnixFileMode)0x1A4 });
            archive.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "b") { LinkName = "a", Mode = (UnixFileMode)0x1A4 });
            archive.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "sub/c") { LinkName = "a", Mode = (UnixFileMode)0x1A4 });
        }

        _build.Write("Dockerfile", "FROM scratch\nADD links.tar /data/\n");
        var image = _build.NewReference("with-links");
        await _build.BuildAsync(_build.Request(image));
        _build.Write("Dockerfile", $"FROM scratch\nCOPY --from={image} /data /whole/\nCOPY --from={image} /data/a /data/b /apart/\n");
        var reference = _build.NewReference("links-from-image");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        var whole = layers[0].Where(e => e.Type != TarEntryType.Directory).Select(e => $"{e.Name} {e.Type} {e.LinkName}".TrimEnd());
        Assert.Equal(["whole/a RegularFile", "whole/b HardLink whole/a", "whole/sub/c HardLink whole/a"], whole);
        // Two sources are two copies for BuildKit: each file is written on its own.
        var apart = layers[1].Where(e => e.Type != TarEntryType.Directory).Select(e => $"{e.Name} {e.Type}");
        Assert.Equal(["apart/a RegularFile", "apart/b RegularFile"], apart);
    }
}
