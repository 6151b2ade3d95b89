using System.Net.Sockets;
using System.Text.Json;
using Kaniko.Cli;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.IntegrationTests.Build;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Samples;

/// <summary>
/// The samples with <c>RUN</c> steps, built as their READMEs say (the CLI, the base images from <c>ARG REGISTRY</c>),
/// checked in the registry and unpacked, and run from their unpacked files in a sandbox.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SampleRunBuildTests(RegistryFixture registry) : IDisposable
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);

    private readonly BuildHarness _harness = new(registry);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Console_run_prepares_its_user_and_data_folder_with_run_steps_and_runs_as_that_user()
    {
        await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Runtime, Cancellation);
        // The context is a copy, so the publish output never lands in the repository.
        var context = _harness.ContextDirectory;
        CopySample("console-run", context);
        var dotnet = TestRequirements.Executable("dotnet");
        await ExternalTools.RunCheckedAsync(
            dotnet, ["publish", Path.Combine(context, "ConsoleRun.csproj"), "-c", "Release", "-o", Path.Combine(context, "out"), "--nologo"],
            PublishTimeout, Cancellation);
        var reference = _harness.NewReference("console-run");

        var output = BuildWithCli(context, reference);

        Assert.Contains("STEP 2/10: RUN groupadd", output, StringComparison.Ordinal);
        var config = (await BuildHarness.ConfigAsync(reference)).GetProperty("config");
        Assert.Equal("worker", config.GetProperty("User").GetString());
        Assert.Equal("/app", config.GetProperty("WorkingDir").GetString());
        Assert.Equal(["dotnet", "ConsoleRun.dll"], Strings(config.GetProperty("Entrypoint")));
        var environment = Strings(config.GetProperty("Env"));
        Assert.Contains("DATA_DIR=/data", environment);

        var rootFs = await _harness.UnpackAsync(reference);
        Assert.Contains("worker:x:1500:1500:", await File.ReadAllTextAsync(Path.Combine(rootFs, "etc", "passwd"), Cancellation), StringComparison.Ordinal);
        var data = Path.Combine(rootFs, "data");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(data));
        Assert.Equal("1500:1500", await OwnerAsync(data));
        Assert.True(File.Exists(Path.Combine(rootFs, "app", "ConsoleRun.dll")));
        Assert.False(File.Exists(Path.Combine(rootFs, "etc", "console-run-note")), "the last RUN removed the note");

        var run = await SandboxRun.RunAsync(
            AvailableSandbox.Create(), new SandboxSpec(rootFs, Strings(config.GetProperty("Entrypoint")), environment, "worker", "/app"), Cancellation);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(
            ["Hello from console-run as worker", "data folder /data is writable: True", "build note: prepared by RUN as root on Debian GNU/Linux 12 (bookworm)"],
            run.Output);
    }

    [Fact]
    public async Task Multistage_sdk_restores_and_publishes_offline_in_the_sdk_stage_and_serves_from_the_aspnet_image()
    {
        await Task.WhenAll(
            BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Sdk, Cancellation),
            BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Aspnet, Cancellation));
        var reference = _harness.NewReference("multistage-sdk");

        var output = BuildWithCli(Path.Combine(TestPaths.RepositoryRoot, "samples", "multistage-sdk"), reference);

        Assert.Contains("Restored /src/MultistageSdk.csproj", output, StringComparison.Ordinal);
        var config = (await BuildHarness.ConfigAsync(reference)).GetProperty("config");
        Assert.Equal(BaseImages.DotnetAppUid.ToString(System.Globalization.CultureInfo.InvariantCulture), config.GetProperty("User").GetString());
        Assert.Equal("/app", config.GetProperty("WorkingDir").GetString());
        Assert.Equal(["dotnet", "MultistageSdk.dll"], Strings(config.GetProperty("Entrypoint")));

        var rootFs = await _harness.UnpackAsync(reference);
        Assert.True(File.Exists(Path.Combine(rootFs, "app", "MultistageSdk.dll")));
        Assert.False(Directory.Exists(Path.Combine(rootFs, "src")), "the build stage's sources stay out of the final image");
        Assert.False(Directory.Exists(Path.Combine(rootFs, "usr", "share", "dotnet", "sdk")), "the final image has no SDK");

        var port = FreePort();
        var environment = Strings(config.GetProperty("Env")).Where(e => !e.StartsWith("ASPNETCORE_HTTP_PORTS=", StringComparison.Ordinal))
            .Append("ASPNETCORE_HTTP_PORTS=" + port).ToList();
        var spec = new SandboxSpec(rootFs, Strings(config.GetProperty("Entrypoint")), environment, config.GetProperty("User").GetString()!, "/app");
        Assert.Equal("Hello from multistage-sdk", await GetWhileRunningAsync(spec, new Uri($"http://127.0.0.1:{port}/")));
    }

    /// <summary>Runs <c>dotnet kaniko build</c> in-process as the README does; returns what it printed.</summary>
    private string BuildWithCli(string context, string reference)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(
            [
                "build", "--context", context, "--build-arg", "REGISTRY=" + registry.Host, "--insecure-registry", registry.Host,
                "--destination", reference, "--cache-dir", _harness.CacheDirectory,
            ],
            output,
            error);
        Assert.True(exitCode == 0, $"exit {exitCode}: {error}\n{output}");
        return output.ToString();
    }

    /// <summary>Starts the app in a sandbox, asks <paramref name="address"/> until it answers, then stops the app.</summary>
    private static async Task<string> GetWhileRunningAsync(SandboxSpec spec, Uri address)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var lines = new LineCollector();
        var app = AvailableSandbox.Create().RunAsync(spec, lines, stop.Token);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        try
        {
            while (true)
            {
                Assert.False(app.IsCompleted, "the app ended before answering: " + string.Join(" | ", lines.Snapshot().Select(l => l.Text)));
                try
                {
                    return await client.GetStringAsync(address, Cancellation);
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(200, Cancellation);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await app;
            }
            catch (OperationCanceledException)
            {
                // Stopping the app is how the test ends it.
            }
        }
    }

    private static void CopySample(string name, string destination)
    {
        var source = Path.Combine(TestPaths.RepositoryRoot, "samples", name);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "out")
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<string> OwnerAsync(string path) =>
        (await ExternalTools.RunCheckedAsync("stat", ["-c", "%u:%g", path], cancellationToken: Cancellation)).StandardOutput.Trim();

    private static List<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
