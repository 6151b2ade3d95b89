using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.IntegrationTests.Build.Differential;
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

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Buildah_and_kaniko_dotnet_give_the_same_filesystem_and_config(string name)
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

        var ourBuild = build.BuildAsync(build.Request(ours) with
        {
            BuildArgs = buildArgs,
            Target = testCase.Target,
            Secrets = [.. testCase.Secrets.Select(s => BuildSecret.Parse($"id={s.Id},src={s.Source}", Environment.GetEnvironmentVariable))],
        });
        List<string> peerArguments = [.. buildArgs.SelectMany(a => new[] { "--build-arg", a.Key + "=" + a.Value })];
        peerArguments.AddRange(testCase.Secrets.SelectMany(s => new[] { "--secret", $"id={s.Id},src={s.Source}" }));
        if (testCase.Target is { } target)
        {
            peerArguments.AddRange(["--target", target]);
        }

        Assert.Equal(testCase.PeerDockerfile is not null, KnownDifferences.PeerDockerfiles.ContainsKey(name));
        var peerDockerfile = testCase.PeerDockerfile ?? Path.Combine(build.ContextDirectory, "Dockerfile");
        var peerBuild = peer.BuildAndPushAsync(peerDockerfile, build.ContextDirectory, theirs, peerArguments, cancellation);
        await Task.WhenAll(ourBuild, peerBuild);

        var ourView = ImageView.ReadAsync(ours, build.Path("view-ours"), cancellation);
        var theirView = ImageView.ReadAsync(theirs, build.Path("view-buildah"), cancellation);
        var (ourRaw, theirRaw) = (await ourView, await theirView);
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
}
