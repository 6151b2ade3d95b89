using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaniko.Cli;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Portability;

/// <summary>
/// The COPY-only build of a .NET app image by <c>dotnet-kaniko.exe</c>, published for win-x64 and run under Wine:
/// two stages, paths in Windows form (<c>Z:\...</c>, backslashes), the registry on 127.0.0.1, every output. The image must be
/// the one the Linux build of the same context makes, byte for byte: the context's modes on Linux are the ones
/// docker's Windows rule gives (0755, 0555 for a read-only file), so any other difference is a bug.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WindowsBuildTests(RegistryFixture registry, PlainHttpTokenAuthRegistryFixture privateRegistry, WindowsCliFixture windows)
    : IClassFixture<WindowsCliFixture>, IClassFixture<PlainHttpTokenAuthRegistryFixture>, IDisposable
{
    private const UnixFileMode Executable = (UnixFileMode)0x1ED; // 0755
    private const UnixFileMode ReadOnly = (UnixFileMode)0x16D; // 0555

    private const string Dockerfile =
        "FROM {0} AS assets\r\n" +
        "COPY app/wwwroot /assets/\r\n" +
        "FROM {0}\r\n" +
        "ENV ASPNETCORE_URLS=http://+:8080 \\\r\n" +
        "    DOTNET_RUNNING_IN_CONTAINER=true\r\n" +
        "WORKDIR /app\r\n" +
        "COPY app/ ./\r\n" +
        "COPY --from=assets --chown=1000:1000 /assets /srv/www\r\n" +
        "USER 1000\r\n" +
        "ENTRYPOINT [\"dotnet\", \"App.dll\"]\r\n";

    private readonly TempDirectory _work = new("kaniko-windows-build-");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_copy_only_build_under_wine_pushes_and_writes_the_image_the_linux_build_makes()
    {
        await windows.StartAsync(Cancellation);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var baseImage = await PushWindowsAndLinuxIndexAsync(suffix);
        var context = WriteAppContext(baseImage);
        var windowsImage = $"{registry.Host}/portable-windows-{suffix}:v1";
        var linuxImage = $"{registry.Host}/portable-linux-{suffix}:v1";
        var windowsOut = Directory.CreateDirectory(_work.Combine("out-windows")).FullName;
        var linuxOut = Directory.CreateDirectory(_work.Combine("out-linux")).FullName;

        var built = await windows.RunAsync(
            [
                "build", "--context", WinePrefix.WindowsPath(context), "--dockerfile", WinePrefix.WindowsPath(Path.Combine(context, "windows", "Dockerfile")),
                "--destination", windowsImage, "--insecure-registry", registry.Host, "--reproducible", "--provenance=false",
                "--tar-path", WinePrefix.WindowsPath(Path.Combine(windowsOut, "image.tar")),
                "--oci-layout-path", WinePrefix.WindowsPath(Path.Combine(windowsOut, "layout")),
                "--digest-file", WinePrefix.WindowsPath(Path.Combine(windowsOut, "digest")),
            ],
            windowsOut,
            Cancellation);
        Assert.True(built.ExitCode == 0, $"exit {built.ExitCode}: {built.StandardError}\n{built.StandardOutput}");
        Assert.True(
            Directory.Exists(Path.Combine(windows.Prefix.UserProfileDirectory, "AppData", "Local", "kaniko-dotnet")),
            "the base layers are cached in %LOCALAPPDATA%\\kaniko-dotnet");

        var linuxOutput = new StringWriter();
        var linuxError = new StringWriter();
        var linuxExit = KanikoCommandLine.Run(
            [
                "build", "--context", context, "--dockerfile", Path.Combine(context, "linux", "Dockerfile"),
                "--destination", linuxImage, "--insecure-registry", registry.Host, "--reproducible", "--provenance=false", "--cache-dir", _work.Combine("linux-cache"),
                "--tar-path", Path.Combine(linuxOut, "image.tar"), "--oci-layout-path", Path.Combine(linuxOut, "layout"),
                "--digest-file", Path.Combine(linuxOut, "digest"),
            ],
            linuxOutput,
            linuxError);
        Assert.True(linuxExit == 0, $"exit {linuxExit}: {linuxError}\n{linuxOutput}");

        // The same digest in both digest files and registries: the same manifest, config and layer bytes. (Without
        // provenance: it records each build's own context and Dockerfile paths, which differ between the two hosts.)
        var digest = File.ReadAllText(Path.Combine(windowsOut, "digest"));
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(linuxOut, "digest")), digest);
        var windowsManifest = (await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + windowsImage], Cancellation)).StandardOutput;
        var linuxManifest = (await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + linuxImage], Cancellation)).StandardOutput;
        Assert.Equal(linuxManifest, windowsManifest);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(windowsManifest))));

        // The OCI layout and the tarball of the Windows build hold that image too.
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(windowsOut, "layout", "index.json")));
        Assert.Equal(digest, index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString());
        var manifest = JsonNode.Parse(windowsManifest)!;
        var configDigest = manifest["config"]!["digest"]!.GetValue<string>();
        var archiveConfig = (await Skopeo.RunCheckedAsync(["inspect", "--config", "--raw", "docker-archive:" + Path.Combine(windowsOut, "image.tar")], Cancellation)).StandardOutput;
        Assert.Equal(configDigest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(archiveConfig))));
        var config = JsonNode.Parse(archiveConfig)!["config"]!;
        Assert.Equal("/app", config["WorkingDir"]!.GetValue<string>());
        Assert.Equal("1000", config["User"]!.GetValue<string>());
        Assert.Equal(["dotnet", "App.dll"], config["Entrypoint"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Contains("DOTNET_RUNNING_IN_CONTAINER=true", config["Env"]!.AsArray().Select(e => e!.GetValue<string>()));

        // What the app layer holds: docker's Windows modes, the CRLF bytes as they were, app\obj left out by the
        // backslash pattern of the Windows ignore file. (A stage that never indexed its base writes no entries for
        // the copied directories: see docs/copy.md.)
        var layers = manifest["layers"]!.AsArray().Select(l => l!["digest"]!.GetValue<string>()).ToList();
        var app = ReadLayer(Path.Combine(windowsOut, "layout"), layers[^2]);
        Assert.Equal(
            [
                ("app/App.dll", Executable), ("app/App.runtimeconfig.json", Executable), ("app/appsettings.json", ReadOnly),
                ("app/run.sh", Executable), ("app/wwwroot/site.css", Executable),
            ],
            app.Select(e => (e.Name, e.Mode)));
        Assert.Equal("{\r\n  \"runtimeOptions\": {}\r\n}\r\n", app.Single(e => e.Name == "app/App.runtimeconfig.json").Content);
    }

    [Fact]
    public async Task Context_files_get_dockers_windows_modes_whatever_their_unix_bits_and_the_log_stays_utf8()
    {
        // The label checks the output too: redirected, it is UTF-8 as on Linux, not the Windows ANSI code page.
        var context = await BusyboxContextAsync("modes", "COPY files /files\nLABEL greeting=\"café ☕\"\n");
        Write(context, "files/private.txt", "p", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(context, "files/shared.txt", "s", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Write(context, "files/locked.txt", "l", UnixFileMode.UserRead | UnixFileMode.GroupRead);
        File.SetUnixFileMode(Path.Combine(context, "files"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var built = await windows.RunAsync(
            ["build", "--no-push", "--insecure-registry", registry.Host, "--oci-layout-path", "layout", "--provenance=false"], context, Cancellation);

        Assert.True(built.ExitCode == 0, $"exit {built.ExitCode}: {built.StandardError}\n{built.StandardOutput}");
        Assert.Contains("STEP 3/3: LABEL greeting=\"café ☕\"", built.StandardOutput + built.StandardError, StringComparison.Ordinal);
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(context, "layout", "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        var manifest = JsonNode.Parse(File.ReadAllBytes(BlobPath(Path.Combine(context, "layout"), manifestDigest)))!;
        var layer = ReadLayer(Path.Combine(context, "layout"), manifest["layers"]!.AsArray()[^1]!["digest"]!.GetValue<string>());
        Assert.Equal(
            [("files/locked.txt", ReadOnly), ("files/private.txt", Executable), ("files/shared.txt", Executable)],
            layer.Select(e => (e.Name, e.Mode)));
    }

    [Theory]
    [InlineData("RUN echo hello\n", "", "KANIKO4307", "RUN steps need Linux")]
    [InlineData("COPY Dockerfile /\n", "--single-snapshot", "KANIKO4520", "--single-snapshot needs Linux")]
    public async Task What_needs_linux_stops_the_build_with_exit_code_3_and_says_so(string step, string option, string code, string message)
    {
        var context = await BusyboxContextAsync("linux-only", step);
        string[] options = option.Length == 0 ? [] : [option];

        var built = await windows.RunAsync(["build", "--no-push", "--insecure-registry", registry.Host, .. options], context, Cancellation);

        Assert.True(built.ExitCode == 3, $"exit {built.ExitCode}: {built.StandardError}\n{built.StandardOutput}");
        var error = built.StandardError + built.StandardOutput;
        Assert.Contains(code, error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("Windows", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_come_from_docker_config_in_the_windows_user_profile()
    {
        var context = await BusyboxContextAsync("auth", "COPY Dockerfile /\n");
        var image = $"{privateRegistry.Host}/{TokenAuthRegistryFixture.PrivatePrefix}windows-{Guid.NewGuid().ToString("N")[..8]}:v1";
        string[] arguments = ["build", "--destination", image, "--insecure-registry", registry.Host, "--insecure-registry", privateRegistry.Host];
        var dockerDirectory = Path.Combine(windows.Prefix.UserProfileDirectory, ".docker");

        var refused = await windows.RunAsync(arguments, context, Cancellation);
        Directory.CreateDirectory(dockerDirectory);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes(privateRegistry.Credentials));
        File.WriteAllText(Path.Combine(dockerDirectory, "config.json"), new JsonObject
        {
            ["auths"] = new JsonObject { [privateRegistry.Host] = new JsonObject { ["auth"] = auth } },
        }.ToJsonString());
        try
        {
            var pushed = await windows.RunAsync(arguments, context, Cancellation);

            Assert.True(refused.ExitCode == 4, $"without credentials: exit {refused.ExitCode}: {refused.StandardError}");
            Assert.True(pushed.ExitCode == 0, $"exit {pushed.ExitCode}: {pushed.StandardError}\n{pushed.StandardOutput}");
            await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--creds", privateRegistry.Credentials, "--raw", "docker://" + image], Cancellation);
        }
        finally
        {
            Directory.Delete(dockerDirectory, recursive: true);
        }
    }

    /// <summary>Starts Wine and makes a context folder whose Dockerfile is <c>FROM busybox</c> and <paramref name="steps"/>.</summary>
    private async Task<string> BusyboxContextAsync(string name, string steps)
    {
        await windows.StartAsync(Cancellation);
        var busybox = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        var context = Directory.CreateDirectory(_work.Combine(name)).FullName;
        File.WriteAllText(Path.Combine(context, "Dockerfile"), $"FROM {busybox.Reference}\n{steps}");
        return context;
    }

    /// <summary>
    /// A base image like the .NET ones, whose tags list Windows images beside the Linux ones: an index whose first
    /// entry claims windows/amd64 (busybox in docker's v2 format) and whose second is linux/amd64 (busybox, OCI).
    /// A build on Windows must take the Linux one, as a build on Linux does; the other would change the digest.
    /// </summary>
    private async Task<string> PushWindowsAndLinuxIndexAsync(string suffix)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        async Task<JsonObject> EntryAsync(string reference, string os)
        {
            var raw = (await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + reference], Cancellation)).StandardOutput;
            var bytes = Encoding.UTF8.GetBytes(raw);
            return new JsonObject
            {
                ["mediaType"] = JsonNode.Parse(raw)!["mediaType"]!.GetValue<string>(),
                ["digest"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)),
                ["size"] = bytes.Length,
                ["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = os },
            };
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(await EntryAsync(busybox.DockerV2Reference, "windows"), await EntryAsync(busybox.Reference, "linux")),
        };
        using var http = new HttpClient();
        using var content = new StringContent(index.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
        using var response = await http.PutAsync(new Uri($"http://{registry.Host}/v2/busybox/manifests/windows-and-linux-{suffix}"), content, Cancellation);
        Assert.True(response.IsSuccessStatusCode, $"pushing the index: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
        return $"{registry.Host}/busybox:windows-and-linux-{suffix}";
    }

    /// <summary>
    /// A context like a <c>dotnet publish</c> folder, with two copies of the Dockerfile: <c>windows/</c> with an
    /// ignore file in Windows spelling (<c>app\obj</c>), <c>linux/</c> with the same pattern in slashes. Every mode
    /// is what docker's Windows rule gives, so the Linux build sees the same modes as the Windows one.
    /// </summary>
    private string WriteAppContext(string baseImage)
    {
        var context = Directory.CreateDirectory(_work.Combine("context")).FullName;
        var dockerfile = string.Format(System.Globalization.CultureInfo.InvariantCulture, Dockerfile, baseImage);
        Write(context, "windows/Dockerfile", dockerfile, Executable);
        Write(context, "windows/Dockerfile.dockerignore", "app\\obj\r\n", Executable);
        Write(context, "linux/Dockerfile", dockerfile, Executable);
        Write(context, "linux/Dockerfile.dockerignore", "app/obj\n", Executable);
        Write(context, "app/App.dll", "MZ not really a program", Executable);
        Write(context, "app/App.runtimeconfig.json", "{\r\n  \"runtimeOptions\": {}\r\n}\r\n", Executable);
        Write(context, "app/appsettings.json", "{}\n", ReadOnly);
        Write(context, "app/run.sh", "#!/bin/sh\nexec dotnet App.dll\n", Executable);
        Write(context, "app/wwwroot/site.css", "body { margin: 0 }\n", Executable);
        Write(context, "app/obj/project.assets.json", "{}", Executable);
        foreach (var directory in Directory.EnumerateDirectories(context, "*", SearchOption.AllDirectories).Append(context))
        {
            File.SetUnixFileMode(directory, Executable);
        }

        return context;
    }

    private static void Write(string root, string relativePath, string content, UnixFileMode mode)
    {
        var path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        File.SetUnixFileMode(path, mode);
    }

    private static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    private static List<(string Name, UnixFileMode Mode, string Content)> ReadLayer(string layout, string digest)
    {
        var entries = new List<(string, UnixFileMode, string)>();
        using var reader = new TarReader(new GZipStream(File.OpenRead(BlobPath(layout, digest)), CompressionMode.Decompress));
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new StreamReader(entry.DataStream ?? Stream.Null, Encoding.UTF8);
            entries.Add((entry.Name, entry.Mode, content.ReadToEnd()));
        }

        return entries;
    }
}
