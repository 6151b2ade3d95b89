using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests;

/// <summary>The offline Debian and .NET base images: what skopeo sees, what the layers hold, and that they run.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class DebianBaseImageTests(RegistryFixture registry)
{
    private static readonly string[] Path = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Debian_is_one_layer_with_bash_as_command()
    {
        var pushed = await BaseImages.PushDebianAsync(registry, Cancellation);

        using var inspect = await SkopeoInspectAsync(pushed.Reference);
        using var config = await SkopeoInspectAsync(pushed.Reference, "--config");

        Assert.Equal(registry.Host + "/debian:bookworm-slim", pushed.Reference);
        Assert.Equal(pushed.Layout.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(pushed.Layout.LayerDigests, Layers(inspect));
        Assert.Single(pushed.Layout.LayerDigests);
        Assert.Equal(["bash"], Strings(config.RootElement.GetProperty("config").GetProperty("Cmd")));
    }

    [Fact]
    public async Task Debian_layer_is_slim_reproducible_and_keeps_numeric_owners()
    {
        var layout = await BaseImages.DebianLayoutAsync(Cancellation);

        var entries = ReproducibleLayer.ReadEntries(OciLayoutWriter.BlobPath(layout.Directory, layout.LayerDigests[0]));
        var names = entries.Select(e => e.Name.TrimEnd('/')).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.All(entries, e => Assert.Equal(ReproducibleLayer.ModificationTime, e.ModificationTime));
        Assert.DoesNotContain(entries, e => e.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo);
        Assert.DoesNotContain(names, n => n.StartsWith("usr/share/man/", StringComparison.Ordinal) || n.StartsWith("usr/share/locale/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("var/lib/apt/lists/", StringComparison.Ordinal) && n != "var/lib/apt/lists/partial");
        Assert.DoesNotContain(names, n => n.StartsWith("dev/", StringComparison.Ordinal) || n.StartsWith("proc/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("./", StringComparison.Ordinal) || n.StartsWith('/'));
        Assert.Contains("etc/dpkg/dpkg.cfg.d/docker-slim", names);
        Assert.Contains("usr/bin/apt-get", names);
        // Group ids survive: /var/mail belongs to the mail group.
        Assert.Contains(entries, e => e.Name.TrimEnd('/') == "var/mail" && e.Gid == 8);
    }

    [Fact]
    public async Task Debian_runs_bookworm_in_the_sandbox()
    {
        var run = await RunInImageAsync(await BaseImages.DebianLayoutAsync(Cancellation), ". /etc/os-release; echo $VERSION_CODENAME; dpkg-query -W dpkg >/dev/null && echo dpkg");

        Assert.Equal(["bookworm", "dpkg"], run);
    }

    [Theory]
    [InlineData(DotnetImageFlavor.RuntimeDeps, "dotnet/runtime-deps", "ASPNETCORE_HTTP_PORTS=8080")]
    [InlineData(DotnetImageFlavor.Runtime, "dotnet/runtime", "DOTNET_VERSION=")]
    [InlineData(DotnetImageFlavor.Aspnet, "dotnet/aspnet", "ASPNET_VERSION=")]
    [InlineData(DotnetImageFlavor.Sdk, "dotnet/sdk", "DOTNET_SDK_VERSION=")]
    public async Task Dotnet_image_is_its_parent_plus_one_layer(DotnetImageFlavor flavor, string repository, string variable)
    {
        var pushed = await BaseImages.PushDotnetAsync(registry, flavor, Cancellation);
        var parent = flavor == DotnetImageFlavor.RuntimeDeps
            ? await BaseImages.DebianLayoutAsync(Cancellation)
            : await BaseImages.DotnetLayoutAsync(flavor - 1, Cancellation);

        using var inspect = await SkopeoInspectAsync(pushed.DockerV2Reference);

        Assert.Equal($"{registry.Host}/{repository}:10.0", pushed.Reference);
        Assert.Equal([.. parent.LayerDigests, pushed.Layout.LayerDigests[^1]], Layers(inspect));
        Assert.Equal([.. parent.DiffIds, pushed.Layout.DiffIds[^1]], pushed.Layout.DiffIds);
        var environment = Strings(inspect.RootElement.GetProperty("Env"));
        Assert.Contains(environment, e => e.StartsWith(variable, StringComparison.Ordinal));
        Assert.Contains("APP_UID=1654", environment);
    }

    [Fact]
    public async Task RuntimeDeps_has_the_app_user_and_the_native_libraries()
    {
        var run = await RunInImageAsync(
            await BaseImages.DotnetLayoutAsync(DotnetImageFlavor.RuntimeDeps, Cancellation),
            "id app; test -d /home/app && echo home; test -s /etc/ssl/certs/ca-certificates.crt && echo certs; " +
            "dpkg-query -W -f='${Package}\\n' libicu72 libssl3 tzdata");

        Assert.Equal(["uid=1654(app) gid=1654(app) groups=1654(app)", "home", "certs", "libicu72", "libssl3", "tzdata"], run);
    }

    [Theory]
    [InlineData(DotnetImageFlavor.Runtime, "--list-runtimes", "Microsoft.NETCore.App ")]
    [InlineData(DotnetImageFlavor.Aspnet, "--list-runtimes", "Microsoft.AspNetCore.App ")]
    [InlineData(DotnetImageFlavor.Sdk, "--list-sdks", "")]
    public async Task Dotnet_lists_what_the_image_holds(DotnetImageFlavor flavor, string option, string prefix)
    {
        var dotnet = HostDotnet.Find();
        var expected = flavor switch
        {
            DotnetImageFlavor.Runtime => dotnet.RuntimeVersion,
            DotnetImageFlavor.Aspnet => dotnet.AspNetCoreVersion,
            _ => dotnet.SdkVersion,
        };

        var run = await RunInImageAsync(await BaseImages.DotnetLayoutAsync(flavor, Cancellation), "dotnet " + option);

        Assert.Contains(run, line => line.StartsWith(prefix + expected + " [/usr/share/dotnet/", StringComparison.Ordinal));
    }

    // umoci applies the layers (an independent tool, not our RootFs), then the engine's sandbox runs the command.
    private static async Task<IReadOnlyList<string>> RunInImageAsync(OciLayoutImage layout, string command)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("running the Debian-based images needs root (umoci unpack with owners)");
        }

        var umoci = TestRequirements.Executable("umoci");
        using var work = new TempDirectory();
        var bundle = work.Combine("bundle");
        await ExternalTools.RunCheckedAsync(umoci, ["unpack", "--image", layout.Directory + ":" + layout.Tag, bundle], TimeSpan.FromMinutes(5), Cancellation);

        var environment = new List<string>(Path) { "HOME=/root", "DOTNET_CLI_TELEMETRY_OPTOUT=true", "DOTNET_NOLOGO=true" };
        var spec = new SandboxSpec(System.IO.Path.Combine(bundle, "rootfs"), ["/bin/sh", "-c", command], environment, "", "/");
        var run = await SandboxRun.RunAsync(SandboxFactory.Create(), spec, Cancellation);

        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Output;
    }

    private static List<string> Layers(JsonDocument inspect) => Strings(inspect.RootElement.GetProperty("Layers"));

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(l => l.GetString()!).ToList();

    private static async Task<JsonDocument> SkopeoInspectAsync(string reference, params string[] extra)
    {
        var result = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", .. extra, "docker://" + reference], Cancellation);
        return JsonDocument.Parse(result.StandardOutput);
    }
}
