using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Storage;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The layer store under real builds: a build killed with SIGKILL while it unpacks a layer into the store leaves no
/// entry a later build uses (it finishes the layer itself), and two builds on one cache directory at once unpack
/// each layer once between them. Both as root, where a stage's root is an overlay of the store (see docs/storage.md).
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed partial class LayerStoreBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    private string Store => Path.Combine(_build.CacheDirectory, "layer-store", "v1");

    [Fact]
    public async Task A_build_killed_while_it_unpacks_a_layer_leaves_no_entry_that_a_later_build_uses()
    {
        RequireRoot();
        var debian = await BaseImages.PushDebianAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {debian.Reference}
            RUN echo one > /one && ls /usr/bin/apt > /dev/null
            """);
        var reference = _build.NewReference("store-killed");
        var incoming = Path.Combine(Store, "incoming");

        using (var cli = Process.Start(Cli("build", "--context", _build.ContextDirectory, "--destination", reference,
            "--insecure-registry", registry.Host, "--cache-dir", _build.CacheDirectory))!)
        {
            cli.OutputDataReceived += (_, _) => { };
            cli.ErrorDataReceived += (_, _) => { };
            cli.BeginOutputReadLine();
            cli.BeginErrorReadLine();
            var deadline = Stopwatch.StartNew();
            while (!cli.HasExited && !(Directory.Exists(incoming) && Directory.EnumerateDirectories(incoming).Any()) && deadline.Elapsed < TimeSpan.FromMinutes(3))
            {
                await Task.Delay(5, BuildHarness.Cancellation);
            }

            Assert.False(cli.HasExited, "the build ended before it unpacked a layer into the store");
            cli.Kill(); // SIGKILL: no handler of the build runs.
            await cli.WaitForExitAsync(BuildHarness.Cancellation);
        }

        var halfWritten = Directory.EnumerateDirectories(incoming).Select(p => Path.GetFileName(p)).ToList();
        Assert.NotEmpty(halfWritten);
        var unfinished = halfWritten.Select(n => n[..n.LastIndexOf('.')]).ToHashSet();
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(Store, "entries")).Select(p => Path.GetFileName(p)), unfinished.Contains);

        var result = await _build.BuildAsync(_build.Request(reference));
        Assert.NotNull(result);
        Assert.Contains(_build.Events.OfType<MessageEvent>(), e => e.Text.StartsWith("RUN stage roots: overlay", StringComparison.Ordinal));
        // The layer the killed build was unpacking was unpacked again, whole, by this one; nothing is left half-written.
        Assert.Superset(unfinished, UnpackedDiffIds(_build.Events).Select(d => d.Replace(':', '-')).ToHashSet());
        Assert.Empty(Directory.EnumerateDirectories(incoming));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "one"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Two_builds_on_one_cache_directory_at_once_unpack_each_layer_once()
    {
        RequireRoot();
        var debian = await BaseImages.PushDebianAsync(registry, BuildHarness.Cancellation);
        using var second = new BuildHarness(registry);
        foreach (var (harness, text) in new[] { (_build, "first"), (second, "second") })
        {
            harness.Write("Dockerfile", $"""
                FROM {debian.Reference}
                RUN echo {text} > /which && test -x /usr/bin/apt
                """);
        }

        var first = _build.NewReference("store-first");
        var other = second.NewReference("store-second");
        await Task.WhenAll(
            _build.BuildAsync(_build.Request(first)),
            second.BuildAsync(second.Request(other) with { CacheDirectory = _build.CacheDirectory }));

        var unpacked = UnpackedDiffIds(_build.Events).Concat(UnpackedDiffIds(second.Events)).ToList();
        Assert.Equal(debian.Layout.DiffIds.Count, unpacked.Count);
        Assert.Equal(unpacked.Count, unpacked.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(debian.Layout.DiffIds.Count, Directory.EnumerateDirectories(Path.Combine(Store, "entries")).Count());
        foreach (var (reference, text) in new[] { (first, "first"), (other, "second") })
        {
            var rootfs = await _build.UnpackAsync(reference);
            Assert.Equal(text + "\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "which"), BuildHarness.Cancellation));
        }
    }

    [Fact]
    public async Task A_build_keeps_the_store_under_its_size_limit_by_evicting_layers_it_does_not_hold()
    {
        var busybox = await OneRunOnBusyboxAsync();
        // A layer an earlier build left and nobody uses any more.
        var store = new LayerStore(_build.CacheDirectory, sizeLimit: 0);
        var stale = Digest.Compute("a layer of an earlier build"u8);
        (await store.AcquireAsync(stale, (folder, token) => File.WriteAllBytesAsync(Path.Combine(folder, "data"), new byte[64 * 1024], token), BuildHarness.Cancellation)).Dispose();

        await _build.BuildAsync(_build.Request(_build.NewReference("store-limit")) with { LayerStoreSize = 1024 });

        Assert.Contains(_build.Events.OfType<MessageEvent>(), e => e.Text.StartsWith("RUN stage roots: overlay", StringComparison.Ordinal)
            && e.Text.Contains("layer store: at most 1K)", StringComparison.Ordinal));
        Assert.False(Directory.Exists(store.PathOf(stale)), "the stale layer is evicted when the build adds one");
        // The layers the build held while it ran stay (a held layer is never evicted), until a later build adds one.
        Assert.Superset(busybox.Layout.DiffIds.ToHashSet(), store.List().Select(e => e.DiffId.ToString()).ToHashSet());
    }

    [Fact]
    public async Task Without_a_size_the_store_is_limited_to_a_tenth_of_its_disk()
    {
        await OneRunOnBusyboxAsync();

        await _build.BuildAsync(_build.Request(_build.NewReference("store-default")));

        var expected = "layer store: at most " + LayerStoreSize.Format(LayerStoreSize.DefaultFor(_build.CacheDirectory)) + ")";
        Assert.Contains(_build.Events.OfType<MessageEvent>(), e => e.Text.StartsWith("RUN stage roots: overlay", StringComparison.Ordinal)
            && e.Text.EndsWith(expected, StringComparison.Ordinal));
    }

    // As root (a stage's root is an overlay of the store only then): busybox in the registry and a Dockerfile with one RUN on it.
    private async Task<PushedBaseImage> OneRunOnBusyboxAsync()
    {
        RequireRoot();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo small > /small
            """);
        return busybox;
    }

    private static IEnumerable<string> UnpackedDiffIds(IEnumerable<BuildEvent> events) =>
        events.OfType<MessageEvent>().Select(e => UnpackedPattern().Match(e.Text)).Where(m => m.Success).Select(m => m.Groups[1].Value);

    [GeneratedRegex("^layer store: unpacked (sha256:[0-9a-f]{64}) ")]
    private static partial Regex UnpackedPattern();

    private static void RequireRoot() =>
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "a stage's root is an overlay of the layer store only as root of the machine");

    /// <summary>The CLI as built next to the tests, run by the machine's dotnet, its output redirected.</summary>
    internal static ProcessStartInfo Cli(params string[] arguments) => new(
        File.Exists("/usr/share/dotnet/dotnet") ? "/usr/share/dotnet/dotnet" : TestRequirements.Executable("dotnet"),
        [Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll"), .. arguments])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
}
