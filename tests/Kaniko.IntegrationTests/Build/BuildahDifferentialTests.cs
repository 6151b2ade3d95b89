using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The same Dockerfile built by our builder and by <c>buildah bud</c> (a peer that needs no daemon), both pushed to
/// the registry, then compared: the flattened filesystem as umoci unpacks it (path, type, mode, owner, size, link
/// target, content) and the config fields a Dockerfile sets. Known, documented differences of buildah are left out:
/// its <c>io.buildah.version</c> label, <c>ArgsEscaped</c> (BuildKit sets it, buildah does not), the order of
/// <c>Env</c> (BuildKit replaces a variable where it stands), and <c>WorkingDir</c> <c>/</c> for scratch.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class BuildahDifferentialTests(RegistryFixture registry) : IDisposable
{
    private const UnixFileMode Mode0755 = (UnixFileMode)0x1ED;
    private const UnixFileMode Mode0600 = (UnixFileMode)0x180;

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    public static TheoryData<string> Cases => ["busybox-app", "scratch-site", "multistage"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Buildah_and_kaniko_dotnet_give_the_same_filesystem_and_config(string name)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("buildah bud runs as root on this machine (see the peers' settings)");
        }

        var buildah = TestRequirements.Executable("buildah");
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        WriteCase(name);
        var ours = _build.NewReference("ours-" + name);
        var theirs = _build.NewReference("buildah-" + name);

        await _build.BuildAsync(_build.Request(ours) with { BuildArgs = [new("BASE", busybox.Reference)] });
        string[] storage = ["--root", _build.Path("buildah", "root"), "--runroot", _build.Path("buildah", "run"), "--storage-driver", "vfs"];
        await ExternalTools.RunCheckedAsync(buildah, [.. storage, "bud", "--quiet", "--isolation", "chroot", "--format", "oci", "--tls-verify=false",
            "--build-arg", "BASE=" + busybox.Reference, "-f", Path.Combine(_build.ContextDirectory, "Dockerfile"), "-t", theirs, _build.ContextDirectory], cancellationToken: BuildHarness.Cancellation);
        await ExternalTools.RunCheckedAsync(buildah, [.. storage, "push", "--quiet", "--tls-verify=false", theirs, "docker://" + theirs], cancellationToken: BuildHarness.Cancellation);

        Assert.Equal(await FlattenAsync(theirs), await FlattenAsync(ours));
        var (ourConfig, theirConfig) = (await BuildHarness.ConfigAsync(ours), await BuildHarness.ConfigAsync(theirs));
        Assert.Equal(ConfigFields(theirConfig), ConfigFields(ourConfig));
    }

    private void WriteCase(string name)
    {
        switch (name)
        {
            case "busybox-app":
                _build.Write("Dockerfile", """
                    ARG BASE
                    FROM $BASE
                    ENV APP=/srv/app PATH=/srv/app/bin:$PATH
                    LABEL org.example.role=diff
                    COPY --chown=nobody:nogroup hello.sh $APP/bin/hello
                    USER nobody
                    WORKDIR /home/app/data
                    EXPOSE 8080/tcp 53/udp
                    ENTRYPOINT ["/srv/app/bin/hello"]
                    CMD ["--loud"]
                    """);
                _build.Write("hello.sh", "#!/bin/sh\necho hello\n", Mode0755);
                break;
            case "scratch-site":
                _build.Write("Dockerfile", """
                    FROM scratch
                    COPY site/ /var/www/
                    COPY *.txt /docs/
                    COPY --chmod=0750 run /
                    WORKDIR /var/www
                    CMD ["/run"]
                    """);
                _build.Write("site/index.html", "<p>body</p>\n");
                _build.Write("site/css/a.css", "a{}\n");
                _build.Write("site/js/x.js", "x()\n", Mode0600);
                _build.Write("readme.txt", "readme\n");
                _build.Write("license.txt", "license\n");
                _build.Write("run", "#!/bin/sh\n", Mode0755);
                break;
            default:
                _build.Write("Dockerfile", """
                    ARG BASE
                    FROM $BASE AS build
                    COPY --chown=nobody:nogroup app.cfg data.bin /out/
                    COPY --chown=1234:5678 app.cfg /out/extra/

                    FROM scratch
                    COPY --from=build /out/ /app/
                    COPY --from=build /bin/busybox /bin/sh
                    ENV MODE=prod
                    CMD /bin/sh -c "echo $MODE"
                    """);
                _build.Write("app.cfg", "cfg\n");
                _build.Write("data.bin", "data\n");
                break;
        }
    }

    /// <summary>Every path of the unpacked image: type, mode, owner, size, link target and a content hash.</summary>
    private async Task<string> FlattenAsync(string reference)
    {
        var layout = _build.Path("flat-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(layout);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{layout}/layout:x"], BuildHarness.Cancellation);
        await ExternalTools.RunCheckedAsync(TestRequirements.Executable("umoci"), ["unpack", "--image", $"{layout}/layout:x", $"{layout}/bundle"], cancellationToken: BuildHarness.Cancellation);
        var rootfs = Path.Combine(layout, "bundle", "rootfs");
        var find = await ExternalTools.RunCheckedAsync("find", [rootfs, "-mindepth", "1", "-printf", "%P\t%y\t%m\t%U\t%G\t%s\t%l\n"], cancellationToken: BuildHarness.Cancellation);
        var lines = new List<string>();
        foreach (var line in find.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            var hash = fields[1] == "f" ? Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(rootfs, fields[0]), BuildHarness.Cancellation))) : "";
            lines.Add(line + "\t" + hash);
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static string ConfigFields(JsonElement config)
    {
        var container = config.GetProperty("config");
        string Field(string name) => container.TryGetProperty(name, out var value) ? value.GetRawText() : "null";
        var env = container.TryGetProperty("Env", out var envValue) ? string.Join(',', envValue.EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal)) : "";
        var labels = container.TryGetProperty("Labels", out var labelValue)
            ? string.Join(',', labelValue.EnumerateObject().Where(l => l.Name != "io.buildah.version").Select(l => l.Name + "=" + l.Value.GetString()).Order(StringComparer.Ordinal))
            : "";
        var workdir = container.TryGetProperty("WorkingDir", out var w) && w.GetString() is { Length: > 0 } dir ? dir : "/";
        var ports = container.TryGetProperty("ExposedPorts", out var p) ? string.Join(',', p.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)) : "";
        return string.Join('\n', $"Env={env}", $"Labels={labels}", $"WorkingDir={workdir}", $"ExposedPorts={ports}",
            $"Entrypoint={Field("Entrypoint")}", $"Cmd={Field("Cmd")}", $"User={Field("User")}", $"os={config.GetProperty("os")}", $"architecture={config.GetProperty("architecture")}");
    }
}
