using System.Text;
using Kaniko.Engine;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>kaniko's build flags reach the engine's request, and builds end with the documented exit codes.</summary>
public sealed class BuildFlagTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-build-");

    public void Dispose() => _temp.Dispose();

    private static Kaniko.Engine.BuildRequest Bind(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var parse = KanikoCommandLine.Create().Parse(["build", .. args]);
        Assert.Empty(parse.Errors);
        return BuildOptions.Bind(parse, name => environment?.GetValueOrDefault(name));
    }

    private (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private void Write(string name, string content) =>
        File.WriteAllBytes(_temp.Combine(name), Encoding.UTF8.GetBytes(content));

    [Fact]
    public void Output_flags_bind_to_the_request()
    {
        var request = Bind(null,
            "-d", "reg.test/app:1", "--destination", "reg.test/app:2", "--no-push", "--tar-path", "out.tar",
            "--oci-layout-path", "layout", "--digest-file", "d", "--image-name-with-digest-file", "n",
            "--image-name-tag-with-digest-file", "t", "--label", "a=1", "--label", "b=x=y", "--annotation", "k=v",
            "--reproducible", "--compression", "zstd", "--compression-level", "7", "--cache-dir", "cache", "--image-format", "Docker");

        Assert.Equal(["reg.test/app:1", "reg.test/app:2"], request.Destinations);
        Assert.True(request.NoPush);
        Assert.Equal(("out.tar", "layout", "d", "n", "t"), (request.TarPath, request.OciLayoutPath, request.DigestFile, request.ImageNameWithDigestFile, request.ImageNameTagWithDigestFile));
        Assert.Equal([new("a", "1"), new("b", "x=y")], request.Labels);
        Assert.Equal([new("k", "v")], request.Annotations);
        Assert.True(request.Reproducible);
        Assert.Equal(new LayerSettings { Compression = CompressionKind.Zstd, CompressionLevel = 7 }, request.Layers);
        Assert.Equal("cache", request.CacheDirectory);
        Assert.Equal(ImageFormat.Docker, request.ImageFormat);
        Assert.Null(request.SourceDateEpoch);
        Assert.Null(Bind(null).ImageFormat);
    }

    [Fact]
    public void Registry_flags_bind_to_the_registry_options()
    {
        var request = Bind(null,
            "--insecure", "--insecure-pull", "--insecure-registry", "a.test:5000", "--insecure-registry", "b.test",
            "--skip-tls-verify", "--skip-tls-verify-pull", "--skip-tls-verify-registry", "c.test",
            "--registry-certificate", "d.test=/certs/ca.pem", "--registry-mirror", "mirror.test", "--registry-mirror", "mirror2.test/prefix",
            "--push-retry", "5", "--image-download-retry", "0");

        var registry = request.Registry;
        Assert.True(registry.InsecurePush);
        Assert.True(registry.InsecurePull);
        Assert.Equal(["a.test:5000", "b.test"], registry.InsecureRegistries.Order(StringComparer.Ordinal));
        Assert.True(registry.SkipTlsVerifyPush);
        Assert.True(registry.SkipTlsVerifyPull);
        Assert.Equal(["c.test"], registry.SkipTlsVerifyRegistries);
        Assert.Equal("/certs/ca.pem", registry.RegistryCertificates["d.test"]);
        Assert.Equal(["mirror.test", "mirror2.test/prefix"], registry.RegistryMirrors);
        Assert.Equal((5, 0), (registry.PushRetries, registry.PullRetries));
    }

    [Fact]
    public void Defaults_leave_the_engine_defaults()
    {
        var request = Bind(null);

        Assert.Empty(request.Destinations);
        Assert.False(request.NoPush);
        Assert.Equal(LayerSettings.Default, request.Layers);
        Assert.Equal((3, 3), (request.Registry.PushRetries, request.Registry.PullRetries));
        Assert.False(request.Registry.InsecurePush);
    }

    [Theory]
    [InlineData(null, IsolationKind.Automatic)]
    [InlineData("auto", IsolationKind.Automatic)]
    [InlineData("bwrap", IsolationKind.Bubblewrap)]
    [InlineData("chroot", IsolationKind.Chroot)]
    [InlineData("NONE", IsolationKind.None)]
    public void Isolation_names_the_sandbox_kind(string? value, IsolationKind expected)
    {
        var request = value is null ? Bind(null) : Bind(null, "--isolation", value);

        Assert.Equal(expected, request.Isolation);
    }

    [Fact]
    public void Snapshot_mode_and_single_snapshot_reach_the_request()
    {
        Assert.Equal((SnapshotKind.Redo, false), (Bind(null).SnapshotMode, Bind(null).SingleSnapshot));
        Assert.Equal(SnapshotKind.Full, Bind(null, "--snapshot-mode", "full").SnapshotMode);
        Assert.Equal(SnapshotKind.Time, Bind(null, "--snapshot-mode", "time").SnapshotMode);
        Assert.True(Bind(null, "--single-snapshot").SingleSnapshot);
    }

    [Fact]
    public void Stage_root_reaches_the_request()
    {
        Assert.Equal(StageRootKind.Automatic, Bind(null).StageRoot);
        Assert.Equal(StageRootKind.Automatic, Bind(null, "--stage-root", "auto").StageRoot);
        Assert.Equal(StageRootKind.Unpack, Bind(null, "--stage-root", "unpack").StageRoot);
        Assert.Equal(StageRootKind.FuseOverlay, Bind(null, "--stage-root", "fuse-overlay").StageRoot);
    }

    [Fact]
    public void Layer_store_size_reaches_the_request()
    {
        Assert.Null(Bind(null).LayerStoreSize);
        Assert.Equal(5L << 30, Bind(null, "--layer-store-size", "5G").LayerStoreSize);
        Assert.Equal(1536L << 20, Bind(null, "--layer-store-size", "1.5G").LayerStoreSize);
        Assert.Equal(0, Bind(null, "--layer-store-size", "0").LayerStoreSize);
    }

    [Fact]
    public void Source_date_epoch_comes_from_the_environment()
    {
        var request = Bind(new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = "1700000000" });

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), request.SourceDateEpoch);
    }

    [Theory]
    [InlineData("--label", "novalue")]
    [InlineData("--annotation", "=v")]
    [InlineData("--compression", "lz4")]
    [InlineData("--image-format", "v2s2")]
    [InlineData("--push-retry", "-1")]
    [InlineData("--compression-level", "30")]
    [InlineData("--verbosity", "loud")]
    [InlineData("--registry-certificate", "nopath")]
    [InlineData("--destination", "UPPER/Case")]
    [InlineData("--isolation", "docker")]
    [InlineData("--snapshot-mode", "fast")]
    [InlineData("--stage-root", "overlayfs")]
    [InlineData("--layer-store-size", "big")]
    public void A_malformed_flag_value_is_a_usage_error(string option, string value)
    {
        Write("Dockerfile", "FROM scratch\n");

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push", option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_build_prints_each_step_and_a_summary()
    {
        Write("Dockerfile", "FROM scratch\nCOPY app.txt /app/\nENV A=1\n");
        Write("app.txt", "hello\n");
        var tar = _temp.Combine("image.tar");

        var (exitCode, output, error) = Run("build", "--context", _temp.Path, "--no-push", "--tar-path", tar, "--reproducible", "--cache-dir", _temp.Combine("cache"));

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["[1/1] STEP 1/3: FROM scratch", "[1/1] STEP 2/3: COPY app.txt /app/", "[1/1] STEP 3/3: ENV A=1"], lines[..3]);
        Assert.Equal("Wrote tarball " + tar, lines[3]);
        Assert.StartsWith("Digest: sha256:", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("Size: ", lines[5], StringComparison.Ordinal);
        Assert.Equal("Layers: 1 (1 new, 0 reused)", lines[6]);
        Assert.StartsWith("Time: ", lines[7], StringComparison.Ordinal);
        Assert.True(File.Exists(tar));
    }

    [Fact]
    public void Quiet_verbosity_prints_nothing_on_success()
    {
        Write("Dockerfile", "FROM scratch\nCOPY app.txt /\n");
        Write("app.txt", "x\n");

        var (exitCode, output, _) = Run("build", "--context", _temp.Path, "--no-push", "--verbosity", "error", "--cache-dir", _temp.Combine("cache"));

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
    }

    [Fact]
    public void Run_without_a_shell_in_the_stage_exits_one_naming_the_missing_program()
    {
        Write("Dockerfile", "FROM scratch\nRUN echo hi\n");

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push", "--cache-dir", _temp.Combine("cache"));

        Assert.Equal(1, exitCode);
        Assert.Equal(
            "Dockerfile:2: RUN echo hi: cannot start \"/bin/sh\": it is not in the stage's filesystem (the stage's filesystem is empty: a stage FROM scratch has no shell) [KANIKO4302]"
            + Environment.NewLine, error);
    }

    [Fact]
    public void A_missing_copy_source_exits_one_with_its_line()
    {
        Write("Dockerfile", "FROM scratch\nCOPY nope.txt /\n");

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("Dockerfile:2: ", error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO4110]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_registry_exits_four()
    {
        Write("Dockerfile", "FROM scratch\nCOPY app.txt /\n");
        Write("app.txt", "x\n");

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "-d", "127.0.0.1:9/app:1", "--insecure", "--push-retry", "0");

        Assert.Equal(4, exitCode);
        Assert.Contains("127.0.0.1:9", error, StringComparison.Ordinal);
    }
}
