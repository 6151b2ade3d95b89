using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.IntegrationTests.Build.Differential;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// Every folder of <c>TestData/Differential</c> built by our builder and by <c>buildah bud</c>, both pushed to the test
/// registry, then compared key by key (<see cref="ImageView"/>): the flattened filesystem and the config fields. The
/// differences that are buildah's own, or our known gaps, are listed once, in <see cref="KnownDifferences"/>.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class BuildahDifferentialTests(RegistryFixture registry, BuildahPeer peer) : IClassFixture<BuildahPeer>
{
    public static TheoryData<string> Cases => [.. DifferentialCase.Names()];

    /// <summary>The cases whose stages run steps, so have a root filesystem made on a rung of the stage-root ladder.</summary>
    public static TheoryData<string> RunCases => [.. DifferentialCase.Names().Where(n => n.StartsWith("run-", StringComparison.Ordinal))];

    /// <summary>The default rung: on this machine (root, kernel overlayfs) the stages' roots are overlays of the layer store.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public Task Buildah_and_kaniko_dotnet_give_the_same_filesystem_and_config(string name) => CompareAsync(name, StageRootKind.Automatic);

    /// <summary>The last rung, where no overlay can be mounted: the layers unpacked into the stage's folder and diffed.</summary>
    [Theory]
    [MemberData(nameof(RunCases))]
    public Task Buildah_and_kaniko_dotnet_agree_on_the_unpack_rung(string name) => CompareAsync(name, StageRootKind.Unpack);

    /// <summary>
    /// The rootless rung: the CLI run by a user with subordinate ids enters a user namespace of its own, and the
    /// stages' roots are overlays mounted there with <c>userxattr</c> over the store's layers in that form.
    /// </summary>
    [Theory]
    [MemberData(nameof(RunCases))]
    public Task Buildah_and_kaniko_dotnet_agree_on_the_rootless_overlay_rung(string name) => CompareAsync(name, StageRootKind.Automatic, rootless: true);

    /// <summary>
    /// The cases the <c>fuse-overlayfs</c> rung is compared on: the ways a step marks its upper folder that this rung
    /// writes otherwise than the kernel (deletions, replaced and renamed directories with <c>.wh..wh..opq</c> files,
    /// <c>user.fuseoverlayfs.opaque</c>), a file of several links copied up alone, links replaced through the
    /// mount, and owners set in the user namespace; on busybox, whose layers unpack into the store in a moment (the
    /// six take about 40 s under load; a Debian case takes 30 to 45 s alone). The other <c>run-*</c> cases exercise
    /// the sandbox and the steps, the same on every rung.
    /// </summary>
    public static TheoryData<string> FuseRunCases => ["run-changes-busybox", "run-opaque-busybox", "run-whiteout-busybox", "run-hardlinks-busybox", "run-chown-busybox", "run-symlinks-busybox"];

    /// <summary>
    /// The <c>fuse-overlayfs</c> rung, forced (<c>--stage-root=fuse-overlay</c>) for a rootless build whose mount
    /// namespace opens <c>/dev/fuse</c> to it (<see cref="RootlessCli.BuildWithOpenFuseAsync"/>); the store's layers
    /// are in its <c>v1-fuse</c> form.
    /// </summary>
    [Theory]
    [MemberData(nameof(FuseRunCases))]
    public Task Buildah_and_kaniko_dotnet_agree_on_the_rootless_fuse_overlayfs_rung(string name) => CompareAsync(name, StageRootKind.FuseOverlay, rootless: true);

    private async Task CompareAsync(string name, StageRootKind stageRoot, bool rootless = false)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("buildah bud runs as root on this machine (see the peers' settings)");
        }

        TestRequirements.Executable("buildah");
        var cancellation = BuildHarness.Cancellation;
        var testCase = DifferentialCase.Load(name);
        var bases = new List<(string Name, PushedBaseImage Image)>();
        foreach (var baseName in testCase.Bases)
        {
            bases.Add((baseName, await peer.BaseAsync(registry, baseName, cancellation)));
        }

        using var build = new BuildHarness(registry);
        testCase.WriteContext(build.ContextDirectory);
        var ours = build.NewReference("ours-" + name);
        var theirs = build.NewReference("buildah-" + name);
        List<KeyValuePair<string, string>> buildArgs = [new("BASE", bases[0].Image.Reference)];
        if (testCase.NamesBases)
        {
            buildArgs.AddRange(bases.Select(b => KeyValuePair.Create(b.Name.ToUpperInvariant(), b.Image.Reference)));
        }

        buildArgs.AddRange(testCase.BuildArgs);

        await using var user = rootless ? await ThrowawayUser.CreateAsync(withRanges: true, cancellation) : null;
        Task ourBuild;
        Task<ToolResult>? ourCli = null;
        if (user is null)
        {
            ourBuild = build.BuildAsync(build.Request(ours) with
            {
                BuildArgs = buildArgs,
                Target = testCase.Target,
                StageRoot = stageRoot,
                Secrets = [.. testCase.Secrets.Select(s => BuildSecret.Parse($"id={s.Id},src={s.Source}", Environment.GetEnvironmentVariable))],
            });
        }
        else
        {
            ourBuild = ourCli = stageRoot == StageRootKind.FuseOverlay
                ? RootlessCli.BuildWithOpenFuseAsync(build, registry, user, ours, [.. CliArguments(build, testCase, buildArgs), "--stage-root", "fuse-overlay"])
                : RootlessCli.BuildAsync(build, registry, user, ours, [.. CliArguments(build, testCase, buildArgs)]);
        }

        List<string> peerArguments = [.. buildArgs.SelectMany(a => new[] { "--build-arg", a.Key + "=" + a.Value })];
        peerArguments.AddRange(testCase.Secrets.SelectMany(s => new[] { "--secret", $"id={s.Id},src={s.Source}" }));
        if (testCase.Target is { } target)
        {
            peerArguments.AddRange(["--target", target]);
        }

        Assert.Equal(testCase.PeerDockerfile is not null, KnownDifferences.PeerDockerfiles.ContainsKey(name));
        var peerDockerfile = testCase.PeerDockerfile ?? Path.Combine(build.ContextDirectory, "Dockerfile");
        var theirView = peer.ViewAsync(name, async () =>
        {
            await peer.BuildAndPushAsync(peerDockerfile, build.ContextDirectory, theirs, peerArguments, cancellation);
            return await ImageView.ReadAsync(theirs, build.Path("view-buildah"), cancellation);
        }, cancellation);
        await Task.WhenAll(ourBuild, theirView);

        var messages = ourCli is null
            ? build.Events.OfType<MessageEvent>().Select(e => e.Text).ToList()
            : [.. (await ourCli).StandardOutput.Split('\n').Select(l => l.Trim())];
        if (ourCli is not null)
        {
            var run = await ourCli;
            Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        }

        var rung = messages.FirstOrDefault(m => m.StartsWith("RUN stage roots: ", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(rung ?? "(no stage root made)");
        if (rung is not null)
        {
            Assert.Equal(stageRoot == StageRootKind.Unpack ? "RUN stage roots: unpacked" : "RUN stage roots: overlay of the layer store", rung[..rung.IndexOf(" (", StringComparison.Ordinal)]);
            var fuse = stageRoot == StageRootKind.FuseOverlay;
            Assert.Equal(rootless && !fuse, rung.Contains("kernel overlay in a user namespace: userxattr", StringComparison.Ordinal));
            Assert.Equal(fuse, System.Text.RegularExpressions.Regex.IsMatch(rung, "; fuse-overlayfs: [^;]+ in a user namespace;"));
            // No stage gave the overlay up for unpacking.
            Assert.DoesNotContain(messages, m => m.Contains(": no overlay (", StringComparison.Ordinal));
        }

        var ourRaw = await ImageView.ReadAsync(ours, build.Path("view-ours"), cancellation);
        var theirRaw = await theirView;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', ourRaw.Select(e => e.Key + " = " + e.Value)));
        foreach (var (key, value) in testCase.PinnedValues())
        {
            Assert.Equal(key + " = " + value, key + " = " + ourRaw.GetValueOrDefault(key, "(absent)"));
        }

        var expected = KnownDifferences.Apply(name, theirRaw);
        var actual = KnownDifferences.Apply(name, ourRaw);
        var differences = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
            .Select(key => (Key: key, Buildah: expected.GetValueOrDefault(key, "(absent)"), Ours: actual.GetValueOrDefault(key, "(absent)")))
            .Where(d => d.Buildah != d.Ours)
            .Select(d => $"{d.Key}\n  buildah: {d.Buildah}\n  ours:    {d.Ours}")
            .ToList();
        Assert.True(differences.Count == 0, $"{name}: {differences.Count} difference(s)\n" + string.Join('\n', differences));
    }

    // The request's settings as the CLI spells them; secrets are copied where the building user can read them.
    private static IEnumerable<string> CliArguments(BuildHarness build, DifferentialCase testCase, IEnumerable<KeyValuePair<string, string>> buildArgs)
    {
        yield return "--provenance=false";
        foreach (var (key, value) in buildArgs)
        {
            yield return "--build-arg";
            yield return key + "=" + value;
        }

        if (testCase.Target is { } target)
        {
            yield return "--target";
            yield return target;
        }

        foreach (var (id, source) in testCase.Secrets)
        {
            var readable = build.Path("secret-" + id);
            File.Copy(source, readable, overwrite: true);
            File.SetUnixFileMode(readable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            yield return "--secret";
            yield return $"id={id},src={readable}";
        }
    }
}
