using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests;

/// <summary>The arm64 busybox and the <c>busybox:multi</c> index of the fixture.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class MultiPlatformBaseImageTests(RegistryFixture registry)
{
    private const ushort ElfMachineAarch64 = 0xB7;
    private const ushort ElfMachineX8664 = 0x3E;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_arm64_image_holds_an_aarch64_busybox()
    {
        var layout = await BaseImages.BusyboxArm64LayoutAsync(Cancellation);

        Assert.Equal(("linux", "arm64"), (layout.Os, layout.Architecture));
        Assert.Equal(ElfMachineAarch64, await ElfMachineAsync(layout));
        Assert.Equal(ElfMachineX8664, await ElfMachineAsync(await BaseImages.BusyboxLayoutAsync(Cancellation)));
    }

    [Fact]
    public async Task The_multi_index_lists_both_images_with_their_platforms()
    {
        var pushed = await BaseImages.PushBusyboxMultiAsync(registry, Cancellation);

        var raw = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + pushed.Reference], Cancellation);
        using var index = System.Text.Json.JsonDocument.Parse(raw.StandardOutput);
        var entries = index.RootElement.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal([pushed.Amd64.ManifestDigest, pushed.Arm64.ManifestDigest], entries.Select(e => e.GetProperty("digest").GetString()));
        Assert.Equal("v8", entries[1].GetProperty("platform").GetProperty("variant").GetString());

        var arm64 = await Skopeo.RunCheckedAsync(
            ["inspect", "--tls-verify=false", "--override-arch", "arm64", "--format", "{{.Architecture}} {{index .Layers 0}}", "docker://" + pushed.Reference], Cancellation);
        Assert.Equal("arm64 " + pushed.Arm64.LayerDigests[0], arm64.StandardOutput.Trim());
    }

    private static async Task<ushort> ElfMachineAsync(OciLayoutImage layout)
    {
        await using var blob = File.OpenRead(OciLayoutWriter.BlobPath(layout.Directory, layout.LayerDigests[0]));
        await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        while (await reader.GetNextEntryAsync(cancellationToken: Cancellation) is { } entry)
        {
            if (entry.Name == "bin/busybox")
            {
                var header = new byte[20];
                await entry.DataStream!.ReadExactlyAsync(header, Cancellation);
                return BitConverter.ToUInt16(header, 18);
            }
        }

        throw new InvalidOperationException("no bin/busybox in " + layout.Directory);
    }
}
