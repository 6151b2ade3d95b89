using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// Pulls an image with skopeo (an independent tool), unpacks its layers in order into a folder with the engine's
/// <see cref="RootFs"/> (whiteouts, owners and modes as a container runtime applies them) and runs its entrypoint
/// from there as an HTTP server on a free loopback port, returning the body of <c>GET /</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class ImageRunner
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The image's config (<c>config</c> object of the config blob).</summary>
    public static async Task<JsonElement> ConfigAsync(string reference)
    {
        var result = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--config", "docker://" + reference]).ConfigureAwait(false);
        return JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("config").Clone();
    }

    /// <summary>The repository's tags.</summary>
    public static async Task<IReadOnlyList<string>> TagsAsync(string repositoryReference)
    {
        var result = await Skopeo.RunCheckedAsync(["list-tags", "--tls-verify=false", "docker://" + repositoryReference]).ConfigureAwait(false);
        return [.. JsonDocument.Parse(result.StandardOutput).RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!)];
    }

    /// <summary>
    /// Runs the image as a container would: its Entrypoint and Cmd, with its Env, User and WorkingDir, in the engine's
    /// bubblewrap sandbox on the machine's network, <c>ASPNETCORE_HTTP_PORTS</c> set to a free port. Cancelling the
    /// sandbox run afterwards kills the app's process tree; the port is checked to be closed again.
    /// </summary>
    public static async Task<string> GetRootInSandboxAsync(string reference, string workFolder)
    {
        TestRequirements.Executable("bwrap");
        var rootfs = await UnpackAsync(reference, workFolder).ConfigureAwait(false);
        var config = await ConfigAsync(reference).ConfigureAwait(false);
        var port = FreePort();
        var environment = Words(config, "Env")
            .Where(e => !e.StartsWith("ASPNETCORE_URLS=", StringComparison.Ordinal) && !e.StartsWith("ASPNETCORE_HTTP_PORTS=", StringComparison.Ordinal))
            .Append($"ASPNETCORE_HTTP_PORTS={port}")
            .ToList();
        var spec = new SandboxSpec(
            rootfs,
            [.. Words(config, "Entrypoint"), .. Words(config, "Cmd")],
            environment,
            Text(config, "User") ?? "",
            Text(config, "WorkingDir") is { Length: > 0 } directory ? directory : "/")
        {
            Network = SandboxNetwork.Shared,
        };

        var sandbox = SandboxFactory.Create(SandboxKind.Bubblewrap);
        var output = new OutputLines();
        using var stop = new CancellationTokenSource();
        var run = sandbox.RunAsync(spec, output, stop.Token);
        try
        {
            return await PollAsync(port, run, output).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The expected end: the cancellation killed the app.
            }

            AssertClosed(port);
        }
    }

    /// <summary>
    /// Runs <c>dotnet APP.dll</c> of an image without a runtime of its own (a busybox base) with the machine's
    /// <c>dotnet</c>, paths inside the image mapped into the unpacked folder.
    /// </summary>
    public static async Task<string> GetRootWithHostDotnetAsync(string reference, string workFolder)
    {
        var rootfs = await UnpackAsync(reference, workFolder).ConfigureAwait(false);
        var config = await ConfigAsync(reference).ConfigureAwait(false);
        var entrypoint = Words(config, "Entrypoint");
        var port = FreePort();
        var startInfo = new ProcessStartInfo(InRoot(rootfs, entrypoint[0]) is { } own && File.Exists(own) ? own : entrypoint[0])
        {
            WorkingDirectory = InRoot(rootfs, Text(config, "WorkingDir") is { Length: > 0 } directory ? directory : "/"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in entrypoint.Skip(1))
        {
            startInfo.ArgumentList.Add(argument.StartsWith('/') ? InRoot(rootfs, argument) : argument);
        }

        foreach (var pair in Words(config, "Env").Select(e => e.Split('=', 2)).Where(p => p[0] != "PATH"))
        {
            startInfo.Environment[pair[0]] = pair[1];
        }

        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(startInfo)!;
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        try
        {
            return await PollAsync(port, process.WaitForExitAsync(), output: null).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            _ = await standardOutput.ConfigureAwait(false) + await standardError.ConfigureAwait(false);
        }
    }

    // Asks GET / until the app answers, it ends, or the bounded wait is over.
    private static async Task<string> PollAsync(int port, Task running, OutputLines? output)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (running.IsCompleted || DateTime.UtcNow >= deadline)
                {
                    throw new InvalidOperationException(
                        $"the app did not answer on port {port}: {e.Message}; ended: {running.IsCompleted}; output: {output}", e);
                }

                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    // Pulls the image into workFolder/image (skopeo's dir: layout) and applies its layers in order to workFolder/rootfs.
    private static async Task<string> UnpackAsync(string reference, string workFolder)
    {
        var image = Path.Combine(workFolder, "image");
        var rootfs = new RootFs(Path.Combine(workFolder, "rootfs"));
        // A temporary folder is private (0700); the / of an image is 0755 and a non-root user must enter it.
        File.SetUnixFileMode(rootfs.HostDirectory, (UnixFileMode)0x1ED);
        await Skopeo.RunCheckedAsync(["copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + image]).ConfigureAwait(false);
        var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(image, "manifest.json")).ConfigureAwait(false)).RootElement;
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            var digest = layer.GetProperty("digest").GetString()!;
            var blob = File.OpenRead(Path.Combine(image, digest.Split(':')[1]));
            await using (blob.ConfigureAwait(false))
            {
                Stream tar = IsGzip(blob) ? new GZipStream(blob, CompressionMode.Decompress) : blob;
                await using (tar.ConfigureAwait(false))
                {
                    await rootfs.ApplyTarAsync(tar, digest).ConfigureAwait(false);
                }
            }
        }

        Directory.Delete(image, recursive: true);
        return rootfs.HostDirectory;
    }

    private static bool IsGzip(FileStream blob)
    {
        Span<byte> magic = stackalloc byte[2];
        var gzip = blob.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        blob.Position = 0;
        return gzip;
    }

    private static void AssertClosed(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
        }
        catch (SocketException)
        {
            return;
        }

        throw new InvalidOperationException($"the app still listens on port {port} after its run was cancelled");
    }

    private static List<string> Words(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(e => e.GetString()!)]
            : [];

    private static string? Text(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string InRoot(string rootfs, string imagePath) => Path.Combine(rootfs, imagePath.TrimStart('/'));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // The app's output, kept for the message when it does not answer.
    private sealed class OutputLines : IProgress<SandboxOutputLine>
    {
        private readonly List<string> _lines = [];

        public void Report(SandboxOutputLine value)
        {
            lock (_lines)
            {
                _lines.Add(value.Text);
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join(" | ", _lines);
            }
        }
    }
}
