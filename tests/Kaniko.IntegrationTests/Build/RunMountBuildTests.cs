using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Mounts;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// <c>RUN --mount</c> of every type, <c>--secret</c> and <c>--ssh</c> in whole builds on the busybox base, pushed to
/// the registry and read back: what the steps saw, and that nothing mounted (or secret) reached the image.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RunMountBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Cache_mount_is_kept_between_builds_and_never_in_the_image()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=cache,target=/var/cache/app echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /count
            """);
        var first = _build.NewReference("cache");
        var second = _build.NewReference("cache");

        await _build.BuildAsync(_build.Request(first));
        await _build.BuildAsync(_build.Request(second));

        Assert.Equal("1", (await ReadAsync(first, "count")).Trim());
        Assert.Equal("2", (await ReadAsync(second, "count")).Trim());
        var layers = await _build.LayerEntriesAsync(second);
        Assert.Equal(["count"], layers[^1].Select(e => e.Name));
    }

    [Fact]
    public async Task Bind_mounts_read_the_context_and_a_stage_and_rw_writes_are_thrown_away()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("input.txt", "from the context\n");
        _build.Write("ignored.txt", "never\n");
        _build.Write(".dockerignore", "ignored.txt\n");
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference} AS build
            RUN mkdir /out && echo built > /out/tool
            FROM {busybox.Reference}
            WORKDIR /work
            RUN --mount=type=bind,target=ctx cat ctx/input.txt > /from-context && ls ctx > /listing
            RUN --mount=type=bind,from=build,source=/out,target=/tools,rw echo changed > /tools/tool && cat /tools/tool > /seen && echo x > /tools/new
            RUN --mount=type=bind,from=build,source=/out,target=/tools cat /tools/tool > /after && test ! -e /tools/new
            """);
        var reference = _build.NewReference("bind");

        await _build.BuildAsync(_build.Request(reference));

        Assert.Equal("from the context\n", await ReadAsync(reference, "from-context"));
        Assert.DoesNotContain("ignored.txt", await ReadAsync(reference, "listing"), StringComparison.Ordinal);
        Assert.Equal("changed\n", await ReadAsync(reference, "seen"));
        Assert.Equal("built\n", await ReadAsync(reference, "after"));
        var names = (await _build.LayerEntriesAsync(reference)).Skip(1).SelectMany(l => l).Select(e => e.Name).ToList();
        Assert.DoesNotContain(names, n => n.StartsWith("tools", StringComparison.Ordinal) || n.StartsWith("work/ctx", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tmpfs_mount_starts_empty_and_is_not_in_the_layer()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=tmpfs,target=/scratch test -z "$(ls -A /scratch)" && echo data > /scratch/f && cp /scratch/f /copied
            """);
        var reference = _build.NewReference("tmpfs");

        await _build.BuildAsync(_build.Request(reference));

        Assert.Equal(["copied"], (await _build.LayerEntriesAsync(reference))[^1].Select(e => e.Name));
    }

    [Fact]
    public async Task Secrets_from_a_file_and_a_variable_reach_the_step_and_nothing_else()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        const string FileValue = "file-secret-8c1f2e";
        const string EnvValue = "env-secret-49d7aa";
        var file = _build.Path("token.txt");
        await File.WriteAllTextAsync(file, FileValue, BuildHarness.Cancellation);
        var variable = "KANIKO_TEST_API_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, EnvValue);
        try
        {
            _build.Write("Dockerfile", $"""
                FROM {busybox.Reference}
                RUN --mount=type=secret,id=token --mount=type=secret,id=api,env=API_KEY cat /run/secrets/token | md5sum > /token.md5 && printf %s "$API_KEY" | md5sum > /api.md5 && stat -c %a /run/secrets/token > /mode
                """);
            var reference = _build.NewReference("secret");
            var request = _build.Request(reference) with
            {
                Secrets = [BuildSecret.Parse("id=token,src=" + file, _ => null), BuildSecret.Parse($"id=api,env={variable}", _ => null)],
            };

            await _build.BuildAsync(request);

            Assert.Equal(Md5(FileValue), (await ReadAsync(reference, "token.md5")).Split(' ')[0]);
            Assert.Equal(Md5(EnvValue), (await ReadAsync(reference, "api.md5")).Split(' ')[0]);
            Assert.Equal("400\n", await ReadAsync(reference, "mode"));
            Assert.Equal(["api.md5", "mode", "token.md5"], (await _build.LayerEntriesAsync(reference))[^1].Select(e => e.Name).Order(StringComparer.Ordinal));
            foreach (var blob in await BlobTextsAsync(reference))
            {
                Assert.DoesNotContain(FileValue, blob, StringComparison.Ordinal);
                Assert.DoesNotContain(EnvValue, blob, StringComparison.Ordinal);
            }

            var events = string.Join('\n', _build.Events.Select(e => e.ToString()));
            Assert.DoesNotContain(FileValue, events, StringComparison.Ordinal);
            Assert.DoesNotContain(EnvValue, events, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_missing_required_secret_stops_the_build_at_its_line()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=secret,id=npmrc,required cat /run/secrets/npmrc
            """);

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request(_build.NewReference("secret"))));

        Assert.Equal(DiagnosticCodes.SecretRequired, error.Code);
        Assert.Equal(2, error.Range?.StartLine);
        Assert.Contains("secret npmrc is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ssh_mount_gives_the_step_the_agent_socket()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        using var agent = await Mounts.SshAgent.StartAsync(_build.Path("agent"));
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "$SSH_AUTH_SOCK" > /sock
            """);
        var reference = _build.NewReference("ssh");
        var request = _build.Request(reference) with { SshAgents = [Kaniko.Engine.SshAgent.Parse("default=" + agent.SocketPath, _ => null)] };

        await _build.BuildAsync(request);

        Assert.Equal("/run/buildkit/ssh_agent.0\n", await ReadAsync(reference, "sock"));
        Assert.Equal(["sock"], (await _build.LayerEntriesAsync(reference))[^1].Select(e => e.Name));
    }

    [Fact]
    public async Task Mounts_work_in_chroot_mode_too()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("chroot mode needs root");
        }

        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        var file = _build.Path("token.txt");
        await File.WriteAllTextAsync(file, "chroot-secret-5e0b", BuildHarness.Cancellation);
        _build.Write("input.txt", "context\n");
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=bind,target=/ctx --mount=type=tmpfs,target=/scratch --mount=type=secret,id=token --mount=type=cache,target=/c cat /ctx/input.txt > /seen && cat /run/secrets/token | wc -c > /length && touch /scratch/x /c/y
            """);
        var reference = _build.NewReference("chroot");
        var request = _build.Request(reference) with { Isolation = IsolationKind.Chroot, Secrets = [BuildSecret.Parse("id=token,src=" + file, _ => null)] };

        await _build.BuildAsync(request);

        Assert.Equal("context\n", await ReadAsync(reference, "seen"));
        Assert.Equal("18", (await ReadAsync(reference, "length")).Trim());
        Assert.Equal(["length", "seen"], (await _build.LayerEntriesAsync(reference))[^1].Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unknown_mount_type_is_a_clear_error()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=volume,target=/v true
            """);

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request(_build.NewReference("volume"))));

        Assert.Equal(DiagnosticCodes.InvalidRunMount, error.Code);
        Assert.Contains("volume", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> ReadAsync(string reference, string path)
    {
        var rootfs = await _build.UnpackAsync(reference);
        return await File.ReadAllTextAsync(System.IO.Path.Combine(rootfs, path), BuildHarness.Cancellation);
    }

    // Every blob of the image as text (layers decompressed), with the manifest and config.
    private async Task<List<string>> BlobTextsAsync(string reference)
    {
        var layout = _build.Path("blobs-" + Guid.NewGuid().ToString("N")[..8]);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{layout}:image"], BuildHarness.Cancellation);
        var texts = new List<string>();
        foreach (var blob in Directory.GetFiles(System.IO.Path.Combine(layout, "blobs", "sha256")))
        {
            var bytes = await File.ReadAllBytesAsync(blob, BuildHarness.Cancellation);
            if (bytes.Length > 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                await using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                await gzip.CopyToAsync(plain, BuildHarness.Cancellation);
                bytes = plain.ToArray();
            }

            texts.Add(Encoding.Latin1.GetString(bytes));
        }

        return texts;
    }

    private static string Md5(string value) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
}
