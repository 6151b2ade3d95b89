using System.Text;
using Kaniko.Engine;
using Kaniko.Engine.Caching;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>kaniko's <c>--cache*</c> flags reach the request, and the local layer cache outlives the process.</summary>
public sealed class LayerCacheFlagTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-cache-");

    public void Dispose() => _temp.Dispose();

    private static Kaniko.Engine.BuildRequest Bind(params string[] args)
    {
        var parse = KanikoCommandLine.Create().Parse(["build", .. args]);
        Assert.Empty(parse.Errors);
        return BuildOptions.Bind(parse, _ => null);
    }

    [Fact]
    public void Without_flags_the_cache_is_off_with_kanikos_defaults()
    {
        Assert.Equal(new LayerCacheSettings(), Bind().Cache);
    }

    [Fact]
    public void Cache_flags_bind_to_the_cache_options()
    {
        var request = Bind("--cache", "--cache-repo", "reg.test/team/cache", "--cache-ttl", "1h30m", "--cache-copy-layers", "--cache-run-layers=false");

        Assert.Equal(
            new LayerCacheSettings { Enabled = true, Repository = "reg.test/team/cache", Ttl = TimeSpan.FromMinutes(90), CopyLayers = true, RunLayers = false },
            request.Cache);
    }

    [Fact]
    public void A_malformed_ttl_is_a_usage_error()
    {
        File.WriteAllBytes(_temp.Combine("Dockerfile"), "FROM scratch\n"u8.ToArray());
        var error = new StringWriter();

        var exitCode = KanikoCommandLine.Run(["build", "--context", _temp.Path, "--no-push", "--cache", "--cache-ttl", "2 weeks"], new StringWriter(), error);

        Assert.Equal(2, exitCode);
        Assert.Contains("KANIKO3404", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_the_cache_flags()
    {
        var output = new StringWriter();

        KanikoCommandLine.Run(["build", "--help"], output, new StringWriter());

        foreach (var flag in new[] { "--cache ", "--cache-repo", "--cache-ttl", "--cache-copy-layers", "--cache-run-layers", "--cache-dir" })
        {
            Assert.Contains(flag, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_local_cache_outlives_the_process()
    {
        var context = Directory.CreateDirectory(_temp.Combine("context")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY a.txt /a/\nCOPY b.txt /b/\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(context, "a.txt"), "a\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(context, "b.txt"), "b\n", TestContext.Current.CancellationToken);

        var first = await RunProcessAsync(context, "first");
        var second = await RunProcessAsync(context, "second");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(2, Lines(first.Output, "cache miss "));
        Assert.Equal(0, Lines(first.Output, "cache hit "));
        Assert.Equal(2, Lines(second.Output, "cache hit "));
        Assert.Equal(0, Lines(second.Output, "cache miss "));
        Assert.Equal(await File.ReadAllTextAsync(_temp.Combine("first.digest"), TestContext.Current.CancellationToken),
            await File.ReadAllTextAsync(_temp.Combine("second.digest"), TestContext.Current.CancellationToken));
    }

    private static int Lines(string output, string prefix) =>
        output.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    private async Task<(int ExitCode, string Output)> RunProcessAsync(string context, string name)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
        [
            "build", "--context", context, "--no-push", "--reproducible",
            "--cache", "--cache-copy-layers", "--cache-dir", _temp.Combine("cache"),
            "--tar-path", _temp.Combine(name + ".tar"), "--digest-file", _temp.Combine(name + ".digest"),
        ]);
        Assert.True(exitCode == 0, output + error);
        return (exitCode, output);
    }
}
