using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary><c>dotnet kaniko cache ls|prune</c> over an empty cache directory, and the sizes <c>--keep-storage</c> reads.</summary>
public sealed class CacheCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cache-cli-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("10G", 10L << 30)]
    [InlineData("500MB", 500L << 20)]
    [InlineData("1.5k", 1536L)]
    public void Keep_storage_reads_bytes_and_1024_based_suffixes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_size_that_is_not_one_is_a_usage_error()
    {
        var error = new StringWriter();

        var exit = KanikoCommandLine.Run(["cache", "prune", "--cache-dir", _temp.Path, "--keep-storage", "lots"], TextWriter.Null, error);

        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.Contains("--keep-storage", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_store_lists_and_prunes_nothing()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("the layer store is used on Linux only");
            return;
        }

        var listed = new StringWriter();
        var pruned = new StringWriter();

        Assert.Equal(ExitCodes.Success, KanikoCommandLine.Run(["cache", "ls", "--cache-dir", _temp.Path], listed, TextWriter.Null));
        Assert.Equal(ExitCodes.Success, KanikoCommandLine.Run(["cache", "prune", "--cache-dir", _temp.Path], pruned, TextWriter.Null));

        Assert.Contains("0 layers, 0 bytes", listed.ToString(), StringComparison.Ordinal);
        Assert.Contains($"builds keep it under {Kaniko.Engine.KanikoCache.DefaultLayerStoreSize(_temp.Path)} bytes by default", listed.ToString(), StringComparison.Ordinal);
        Assert.Contains("removed 0 layers", pruned.ToString(), StringComparison.Ordinal);
    }
}
