using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Registry;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// COPY-only Dockerfiles built and pushed by <see cref="KanikoBuilder"/> to the real registry, then read back by
/// skopeo and umoci: files, modes, owners, config fields, outputs and errors.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class CopyOnlyBuildTests(RegistryFixture registry) : IDisposable
{
    private const UnixFileMode Mode0755 = (UnixFileMode)0x1ED;
    private const UnixFileMode Mode0644 = (UnixFileMode)0x1A4;

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Scratch_with_copy_and_metadata_gives_the_files_and_the_config()
    {
        _build.Write("Dockerfile", """
            FROM scratch
            ENV APP_HOME=/opt/app GREETING="hello world"
            COPY run.sh data/ $APP_HOME/
            WORKDIR $APP_HOME
            USER 1000:1000
            EXPOSE 8080 53/udp
            LABEL org.example.kind=test
            ENTRYPOINT ["/opt/app/run.sh"]
            CMD ["--serve"]
            """);
        _build.Write("run.sh", "#!/bin/sh\necho hi\n", Mode0755);
        _build.Write("data/config.txt", "key=value\n", Mode0644);
        var reference = _build.NewReference("scratch");

        var result = await _build.BuildAsync(_build.Request(reference));

        Assert.Equal("application/vnd.oci.image.manifest.v1+json", result.ManifestMediaType.ToString());
        var config = await BuildHarness.ConfigAsync(reference);
        var container = config.GetProperty("config");
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/opt/app", "GREETING=hello world"], Strings(container.GetProperty("Env")));
        Assert.Equal(["/opt/app/run.sh"], Strings(container.GetProperty("Entrypoint")));
        Assert.Equal(["--serve"], Strings(container.GetProperty("Cmd")));
        Assert.Equal("/opt/app", container.GetProperty("WorkingDir").GetString());
        Assert.Equal("1000:1000", container.GetProperty("User").GetString());
        Assert.Equal(["53/udp", "8080/tcp"], container.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("test", container.GetProperty("Labels").GetProperty("org.example.kind").GetString());

        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("#!/bin/sh\necho hi\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/app/run.sh"), BuildHarness.Cancellation));
        Assert.Equal("key=value\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/app/config.txt"), BuildHarness.Cancellation));
        Assert.Equal(Mode0755, File.GetUnixFileMode(Path.Combine(rootfs, "opt/app/run.sh")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(Path.Combine(rootfs, "opt/app/config.txt")));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count); // the COPY, then the WORKDIR directory
        Assert.Equal(["opt/", "opt/app/", "opt/app/config.txt", "opt/app/run.sh"], layers[0].Select(e => e.Name));
        Assert.All(layers[0], e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
        Assert.Equal(["opt/app/"], layers[1].Select(e => e.Name)); // its parent exists already
    }

    [Fact]
    public async Task Chown_by_name_reads_only_the_user_files_from_the_base_and_mounts_its_layer()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY --chown=nobody:nogroup app.txt /srv/\n");
        _build.Write("app.txt", "app\n");
        var reference = _build.NewReference("chown");

        var result = await _build.BuildAsync(_build.Request(reference));

        var baseLayer = busybox.Layout.LayerDigests[0];
        Assert.Equal([baseLayer], _build.CachedBlobs());
        Assert.Contains(result.PushedBlobs, b => b.Digest.ToString() == baseLayer && b.Outcome == BlobPushOutcome.Mounted);
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        var copied = Assert.Single(layers[1], e => e.Name == "srv/app.txt");
        Assert.Equal((65534, 65534), (copied.Uid, copied.Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.True(File.Exists(Path.Combine(rootfs, "bin", "busybox")));
        Assert.Equal("app\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "srv/app.txt"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_docker_base_without_name_lookups_downloads_no_base_layer_and_stays_docker()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.DockerV2Reference}\nCOPY secret.txt /etc/app/\nUSER 1000\nWORKDIR /\n");
        _build.Write("secret.txt", "s3cret\n");
        var reference = _build.NewReference("dockerbase");

        var result = await _build.BuildAsync(_build.Request(reference));

        Assert.Empty(_build.CachedBlobs());
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", result.ManifestMediaType.ToString());
        var manifest = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest.GetProperty("mediaType").GetString());
        Assert.All(manifest.GetProperty("layers").EnumerateArray(), l => Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", l.GetProperty("mediaType").GetString()));
        var layers = await _build.LayerEntriesAsync(reference);
        var copied = Assert.Single(layers[1], e => e.Name == "etc/app/secret.txt");
        Assert.Equal((Mode0644, 0, 0), (copied.Mode, copied.Uid, copied.Gid));
        var config = await BuildHarness.ConfigAsync(reference);
        Assert.Equal(["sh"], Strings(config.GetProperty("config").GetProperty("Cmd")));
        Assert.Equal("1000", config.GetProperty("config").GetProperty("User").GetString());
    }

    [Fact]
    public async Task Copies_into_directories_the_stage_made_need_no_base_layer_and_keep_base_directories_alone()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY conf/ /etc/\nCOPY site/ /srv/www/\nCOPY extra.txt /srv/www\n");
        _build.Write("conf/app.conf", "a=1\n");
        _build.Write("site/index.html", "<p/>\n");
        _build.Write("extra.txt", "extra\n");
        var reference = _build.NewReference("lazydirs");

        await _build.BuildAsync(_build.Request(reference));

        Assert.Empty(_build.CachedBlobs());
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["etc/app.conf"], layers[1].Select(e => e.Name)); // /etc keeps the base's entry
        Assert.Equal(["srv/www/extra.txt"], layers[3].Select(e => e.Name)); // into the directory the previous COPY made
    }

    [Fact]
    public async Task A_file_copied_onto_a_base_directory_goes_inside_it()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY tool /bin\n");
        _build.Write("tool", "#!/bin/sh\n", Mode0755);
        var reference = _build.NewReference("intobase");

        await _build.BuildAsync(_build.Request(reference));

        Assert.Equal([busybox.Layout.LayerDigests[0]], _build.CachedBlobs());
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["bin/tool"], layers[1].Select(e => e.Name));
    }

    [Fact]
    public async Task A_metadata_only_stage_passes_its_config_to_the_next_stage()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference} AS meta
            ENV STAGE=meta
            LABEL stage=meta
            ENTRYPOINT ["/bin/sh", "-c"]

            FROM meta
            COPY hello.txt /
            CMD ["cat /hello.txt"]
            """);
        _build.Write("hello.txt", "hello\n");
        var reference = _build.NewReference("multistage");

        await _build.BuildAsync(_build.Request(reference));

        var config = await BuildHarness.ConfigAsync(reference);
        var container = config.GetProperty("config");
        Assert.Contains("STAGE=meta", Strings(container.GetProperty("Env")));
        Assert.Equal("meta", container.GetProperty("Labels").GetProperty("stage").GetString());
        Assert.Equal(["/bin/sh", "-c"], Strings(container.GetProperty("Entrypoint")));
        Assert.Equal(["cat /hello.txt"], Strings(container.GetProperty("Cmd")));
        Assert.Equal(2, config.GetProperty("rootfs").GetProperty("diff_ids").GetArrayLength());
        var history = config.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()).ToList();
        Assert.Equal(["ENV STAGE=meta", "LABEL stage=meta", "ENTRYPOINT [\"/bin/sh\" \"-c\"]", "COPY hello.txt / # buildkit", "CMD [\"cat /hello.txt\"]"], history[^5..]);
        Assert.Contains(_build.Events.OfType<StepStartedEvent>(), e => e.ToString() == "[2/2] STEP 2/3: COPY hello.txt /");
    }

    [Fact]
    public async Task Workdir_is_created_owned_by_the_user_named_in_the_base()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nUSER nobody\nWORKDIR /data/work\nCOPY note.txt .\n");
        _build.Write("note.txt", "note\n");
        var reference = _build.NewReference("workdir");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(3, layers.Count);
        // The missing parent is created as the user too, as BuildKit does.
        Assert.Equal(["data/", "data/work/"], layers[1].Select(e => e.Name));
        Assert.All(layers[1], e => Assert.Equal((TarEntryType.Directory, Mode0755, 65534, 65534), (e.Type, e.Mode, e.Uid, e.Gid)));
        Assert.Contains(layers[2], e => e.Name == "data/work/note.txt");
        var config = await BuildHarness.ConfigAsync(reference);
        Assert.Equal("/data/work", config.GetProperty("config").GetProperty("WorkingDir").GetString());
    }

    [Fact]
    public async Task Reproducible_builds_give_the_same_digest_twice()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY a.txt b.txt /files/\nENV X=1\n");
        _build.Write("a.txt", "a\n");
        _build.Write("b.txt", "b\n");
        var first = _build.NewReference("repro");
        var second = _build.NewReference("repro");

        var one = await _build.BuildAsync(_build.Request(first) with { Reproducible = true });
        File.SetLastWriteTimeUtc(Path.Combine(_build.ContextDirectory, "a.txt"), DateTime.UtcNow.AddDays(-3));
        var two = await _build.BuildAsync(_build.Request(second) with { Reproducible = true });

        Assert.Equal(one.Digest, two.Digest);
        var config = await BuildHarness.ConfigAsync(second);
        Assert.Equal("1970-01-01T00:00:00Z", config.GetProperty("created").GetString());
        var layers = await _build.LayerEntriesAsync(second);
        Assert.All(layers[0], e => Assert.Equal(DateTimeOffset.UnixEpoch, e.ModificationTime));

        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var dated = await _build.BuildAsync(_build.Request() with { NoPush = true, SourceDateEpoch = epoch });
        var datedAgain = await _build.BuildAsync(_build.Request() with { NoPush = true, SourceDateEpoch = epoch });
        Assert.Equal(dated.Digest, datedAgain.Digest);
        Assert.NotEqual(one.Digest, dated.Digest);
    }

    [Fact]
    public async Task Tarball_and_oci_layout_outputs_are_readable_without_a_push()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY app.txt /app/\n");
        _build.Write("app.txt", "layout\n");
        var tar = _build.Path("image.tar");
        var layout = _build.Path("layout");

        var result = await _build.BuildAsync(_build.Request() with { NoPush = true, TarPath = tar, OciLayoutPath = layout });

        Assert.Empty(result.References);
        Assert.Empty(result.PushedBlobs);
        using (var archive = await BuildHarness.SkopeoJsonAsync("inspect", "docker-archive:" + tar))
        {
            Assert.Single(archive.RootElement.GetProperty("Layers").EnumerateArray());
        }

        using (var fromLayout = await BuildHarness.SkopeoJsonAsync("inspect", "oci:" + layout))
        {
            Assert.Equal(result.Digest.ToString(), fromLayout.RootElement.GetProperty("Digest").GetString());
        }

        var umoci = TestRequirements.Executable("umoci");
        var bundle = _build.Path("bundle");
        var index = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "index.json"), BuildHarness.Cancellation));
        Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        var copy = _build.Path("tagged");
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "oci:" + layout, "oci:" + copy + ":t"], BuildHarness.Cancellation);
        List<string> unpack = ["unpack", "--image", copy + ":t"];
        if (!Environment.IsPrivilegedProcess)
        {
            unpack.Add("--rootless");
        }

        await ExternalTools.RunCheckedAsync(umoci, [.. unpack, bundle], cancellationToken: BuildHarness.Cancellation);
        Assert.Equal("layout\n", await File.ReadAllTextAsync(Path.Combine(bundle, "rootfs", "app", "app.txt"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Digest_files_name_the_pushed_digest()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY app.txt /\n");
        _build.Write("app.txt", "digest\n");
        var reference = _build.NewReference("digests");
        var untagged = reference[..reference.LastIndexOf(':')].Replace("digests", "digests2", StringComparison.Ordinal);

        var result = await _build.BuildAsync(_build.Request(reference, untagged) with
        {
            DigestFile = _build.Path("digest"),
            ImageNameWithDigestFile = _build.Path("name-digest"),
            ImageNameTagWithDigestFile = _build.Path("name-tag-digest"),
        });

        using var inspect = await BuildHarness.SkopeoJsonAsync("inspect", "--tls-verify=false", "docker://" + reference);
        Assert.Equal(inspect.RootElement.GetProperty("Digest").GetString(), await File.ReadAllTextAsync(_build.Path("digest"), BuildHarness.Cancellation));
        var repository = reference[..reference.LastIndexOf(':')];
        Assert.Equal($"{repository}@{result.Digest}\n{untagged}@{result.Digest}\n", await File.ReadAllTextAsync(_build.Path("name-digest"), BuildHarness.Cancellation));
        Assert.Equal($"{reference}@{result.Digest}\n{untagged}:latest@{result.Digest}\n", await File.ReadAllTextAsync(_build.Path("name-tag-digest"), BuildHarness.Cancellation));
        Assert.Equal(2, result.References.Count);
    }

    [Fact]
    public async Task A_missing_copy_source_fails_at_its_line_and_pushes_nothing()
    {
        _build.Write("Dockerfile", "FROM scratch\nENV A=1\nCOPY missing.txt /\n");
        var reference = _build.NewReference("missing");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request(reference)));

        Assert.Equal(DiagnosticCodes.CopySourceNotFound, error.Code);
        Assert.StartsWith("Dockerfile:3: ", error.Message, StringComparison.Ordinal);
        var inspect = await Skopeo.RunAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + reference], BuildHarness.Cancellation);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task Run_in_a_scratch_stage_says_the_shell_is_not_in_its_filesystem()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY a.txt /\nRUN echo hi\n");
        _build.Write("a.txt", "a\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.Equal(DiagnosticCodes.RunProgramNotFound, error.Code);
        Assert.Equal("Dockerfile:3: RUN echo hi: cannot start \"/bin/sh\": it is not in the stage's filesystem", error.Message);
    }

    [Fact]
    public async Task Without_destination_or_no_push_the_build_is_refused_before_it_starts()
    {
        _build.Write("Dockerfile", "FROM scratch\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request()));

        Assert.Equal(DiagnosticCodes.DestinationRequired, error.Code);
    }

    [Fact]
    public async Task Labels_annotations_and_zstd_reach_the_image()
    {
        _build.Write("Dockerfile", "FROM scratch\nLABEL from=dockerfile over=dockerfile\nCOPY a.txt /\n");
        _build.Write("a.txt", "zstd\n");
        var reference = _build.NewReference("labels");

        await _build.BuildAsync(_build.Request(reference) with
        {
            Labels = [new("over", "flag"), new("extra", "yes")],
            Annotations = [new("org.opencontainers.image.source", "local")],
            Layers = new LayerSettings { Compression = CompressionKind.Zstd, CompressionLevel = 5 },
        });

        var config = await BuildHarness.ConfigAsync(reference);
        var labels = config.GetProperty("config").GetProperty("Labels");
        Assert.Equal(("dockerfile", "flag", "yes"), (labels.GetProperty("from").GetString(), labels.GetProperty("over").GetString(), labels.GetProperty("extra").GetString()));
        var manifest = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("local", manifest.GetProperty("annotations").GetProperty("org.opencontainers.image.source").GetString());
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", manifest.GetProperty("layers")[0].GetProperty("mediaType").GetString());
    }

    [Fact]
    public async Task Zstd_on_a_docker_base_writes_an_oci_manifest()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.DockerV2Reference}\nCOPY a.txt /\n");
        _build.Write("a.txt", "zstd\n");
        var reference = _build.NewReference("zstd-docker-base");

        await _build.BuildAsync(_build.Request(reference) with
        {
            Layers = new LayerSettings { Compression = CompressionKind.Zstd },
        });

        // BuildKit turns OCI media types on for zstd (a Docker schema 2 manifest cannot list a zstd layer); the base
        // layer is the same blob under its OCI name.
        var manifest = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest.GetProperty("mediaType").GetString());
        Assert.Equal(
            ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd"],
            manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("mediaType").GetString()));
        var config = await BuildHarness.ConfigAsync(reference);
        Assert.Equal(2, config.GetProperty("rootfs").GetProperty("diff_ids").GetArrayLength());
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
