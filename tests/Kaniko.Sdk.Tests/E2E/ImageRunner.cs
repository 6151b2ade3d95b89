using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// Pulls an image with skopeo (an independent tool), unpacks its layers in order into a folder and runs its
/// entrypoint from there, in its working directory, with its environment. When the entrypoint is <c>dotnet</c> and
/// the image has no runtime of its own (a busybox base), the machine's <c>dotnet</c> runs the app's files from the
/// unpacked image, paths inside the image mapped into the folder.
/// </summary>
public static class ImageRunner
{
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

    /// <summary>Runs the image's entrypoint as an HTTP server on a free loopback port and returns the body of <c>GET /</c>.</summary>
    public static async Task<string> GetRootAsync(string reference, string workFolder)
    {
        var image = Path.Combine(workFolder, "image");
        var rootfs = Path.Combine(workFolder, "rootfs");
        Directory.CreateDirectory(rootfs);
        await Skopeo.RunCheckedAsync(["copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + image]).ConfigureAwait(false);
        var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(image, "manifest.json")).ConfigureAwait(false)).RootElement;
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            var blob = Path.Combine(image, layer.GetProperty("digest").GetString()!.Split(':')[1]);
            await ExternalTools.RunCheckedAsync("tar", ["-xzf", blob, "-C", rootfs, "--no-same-owner"]).ConfigureAwait(false);
        }

        var config = await ConfigAsync(reference).ConfigureAwait(false);
        var entrypoint = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
        var workingDirectory = config.TryGetProperty("WorkingDir", out var wd) ? wd.GetString() ?? "/" : "/";
        var port = FreePort();
        var startInfo = new ProcessStartInfo(InRoot(rootfs, entrypoint[0]) is { } own && File.Exists(own) ? own : entrypoint[0])
        {
            WorkingDirectory = InRoot(rootfs, workingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in entrypoint.Skip(1))
        {
            startInfo.ArgumentList.Add(argument.StartsWith('/') ? InRoot(rootfs, argument) : argument);
        }

        if (config.TryGetProperty("Env", out var env))
        {
            foreach (var pair in env.EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).Where(p => p[0] != "PATH"))
            {
                startInfo.Environment[pair[0]] = pair[1];
            }
        }

        startInfo.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                try
                {
                    return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")).ConfigureAwait(false);
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(200).ConfigureAwait(false);
                }
            }
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"the app did not answer: {e.Message}; exited: {process.HasExited}", e);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
            _ = await output.ConfigureAwait(false) + await error.ConfigureAwait(false);
        }
    }

    private static string InRoot(string rootfs, string imagePath) => Path.Combine(rootfs, imagePath.TrimStart('/'));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
