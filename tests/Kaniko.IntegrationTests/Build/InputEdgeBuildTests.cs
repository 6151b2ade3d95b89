using System.Runtime.Versioning;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>Inputs at the edges (odd file names, odd bytes, owners the stage does not know), built as BuildKit builds them.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class InputEdgeBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_context_file_whose_name_holds_a_newline_is_copied_and_seen_by_run()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY data/ /data/
            RUN cat /data/two* > /copy.txt
            """);
        _build.Write("data/two\nlines.txt", "newline name\n");
        var reference = _build.NewReference("newline-name");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Contains(layers[1], e => e.Name == "data/two\nlines.txt");
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("newline name\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "copy.txt"), BuildHarness.Cancellation));
        Assert.Equal("newline name\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "data", "two\nlines.txt"), BuildHarness.Cancellation));
    }

    [Theory]
    [InlineData("COPY --chown=ghost app.txt /app/", "KANIKO4130", "can't find uid for user ghost")]
    [InlineData("ADD --chown=nobody:phantom app.txt /app/", "KANIKO4131", "can't find gid for group phantom")]
    public async Task A_chown_name_the_stage_does_not_know_fails_at_its_line(string instruction, string code, string message)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY app.txt /first/\n{instruction}\n");
        _build.Write("app.txt", "app\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request(_build.NewReference("chown-unknown"))));

        Assert.Equal(code, error.Code.ToString());
        Assert.Equal(3, error.Range?.StartLine);
        Assert.Contains("unable to convert uid/gid chown string to host mapping: " + message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Numeric_chown_ids_need_no_passwd_file()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY --chown=4321:8765 app.txt /app/\n");
        _build.Write("app.txt", "app\n");
        var reference = _build.NewReference("chown-numeric");

        await _build.BuildAsync(_build.Request(reference));

        var copied = Assert.Single(Assert.Single(await _build.LayerEntriesAsync(reference)), e => e.Name == "app/app.txt");
        Assert.Equal((4321, 8765), (copied.Uid, copied.Gid));
    }

    [Fact]
    public async Task A_docker_config_that_is_not_json_is_a_warning_naming_it_even_where_no_credentials_are_needed()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY app.txt /app/\n");
        _build.Write("app.txt", "app\n");
        var configDirectory = _build.Path("docker-config");
        Directory.CreateDirectory(configDirectory);
        var configFile = Path.Combine(configDirectory, "config.json");
        await File.WriteAllTextAsync(configFile, "auths: {not json", BuildHarness.Cancellation);
        var keychain = ChainedKeychain.CreateDefault(name => name == "DOCKER_CONFIG" ? configDirectory : null);

        var result = await _build.BuildAsync(_build.Request(_build.NewReference("bad-config")), keychain);

        var warning = Assert.Single(result.Warnings, w => w.Code == DiagnosticCodes.DockerConfigInvalid);
        Assert.Contains(configFile, warning.Message, StringComparison.Ordinal);
        Assert.Single(_build.Events.OfType<WarningEvent>(), e => e.Warning.Code == DiagnosticCodes.DockerConfigInvalid);
    }
}
