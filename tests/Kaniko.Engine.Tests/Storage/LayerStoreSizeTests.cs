using Kaniko.Engine.Storage;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Storage;

/// <summary>The layer store's default size limit: a tenth of the cache directory's file system, at most 20 GiB.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LayerStoreSizeTests
{
    private const long GiB = 1L << 30;

    [Theory]
    [InlineData(40 * GiB, 4 * GiB)]
    [InlineData(100 * GiB, 10 * GiB)]
    [InlineData(200 * GiB, 20 * GiB)]
    [InlineData(2048 * GiB, 20 * GiB)]
    [InlineData(0, 20 * GiB)]
    public void The_default_is_a_tenth_of_the_disk_at_most_20_GiB(long disk, long expected) =>
        Assert.Equal(expected, LayerStoreSize.DefaultForDiskOf(disk));

    [Fact]
    public void A_given_size_wins_and_0_means_no_limit()
    {
        using var temp = new TempDirectory();

        Assert.Equal(5 * GiB, LayerStoreSize.Resolve(5 * GiB, temp.Path));
        Assert.Equal(0, LayerStoreSize.Resolve(0, temp.Path));
        Assert.Throws<ArgumentOutOfRangeException>(() => LayerStoreSize.Resolve(-1, temp.Path));
    }

    [Fact]
    public void Without_a_size_the_file_system_of_the_cache_directory_decides_even_before_it_exists()
    {
        using var temp = new TempDirectory();
        var disk = new DriveInfo(temp.Path).TotalSize;

        var limit = LayerStoreSize.Resolve(null, temp.Combine("not", "made", "yet"));

        Assert.Equal(Math.Min(disk / 10, LayerStoreSize.Cap), limit);
        Assert.InRange(limit, 1, LayerStoreSize.Cap);
    }

    [Theory]
    [InlineData(20 * GiB, "20G")]
    [InlineData(GiB + GiB / 2, "1.5G")]
    [InlineData(3L << 20, "3M")]
    [InlineData(1024, "1K")]
    [InlineData(1000, "1000")]
    public void Sizes_are_shown_as_the_flag_reads_them(long bytes, string expected) =>
        Assert.Equal(expected, LayerStoreSize.Format(bytes));
}
