using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary>
/// What the bucket-context tests share: a context archive made in memory, <c>dotnet kaniko build</c> run as its own
/// process with a controlled environment, and the checks on an error.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class BucketContextRun
{
    /// <summary>
    /// Every variable through which a developer's shell could hand the CLI credentials or endpoints, removed from
    /// the CLI's environment; and the instance metadata services pointed away from the network (the credential
    /// chains probe them when nothing else gives credentials), so no test sends a packet off this machine.
    /// </summary>
    private static readonly Dictionary<string, string?> Isolated = new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = null, ["AWS_SECRET_ACCESS_KEY"] = null, ["AWS_SESSION_TOKEN"] = null, ["AWS_PROFILE"] = null,
        ["AWS_REGION"] = null, ["AWS_DEFAULT_REGION"] = null, ["AWS_ENDPOINT_URL"] = null, ["AWS_ENDPOINT_URL_S3"] = null,
        ["AWS_CONFIG_FILE"] = null, ["AWS_SHARED_CREDENTIALS_FILE"] = null, ["AWS_WEB_IDENTITY_TOKEN_FILE"] = null,
        ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = null, ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["S3_ENDPOINT"] = null, ["S3_FORCE_PATH_STYLE"] = null,
        ["GOOGLE_APPLICATION_CREDENTIALS"] = null, ["STORAGE_EMULATOR_HOST"] = null, ["GCE_METADATA_HOST"] = "127.0.0.1:9",
        ["AZURE_STORAGE_ACCESS_KEY"] = null, ["AZURE_STORAGE_CONNECTION_STRING"] = null, ["AZURE_CLIENT_ID"] = null,
        ["AZURE_TENANT_ID"] = null, ["AZURE_CLIENT_SECRET"] = null, ["AZURE_FEDERATED_TOKEN_FILE"] = null,
        ["IDENTITY_ENDPOINT"] = null, ["MSI_ENDPOINT"] = null, ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = "http://127.0.0.1:9",
        ["NO_COLOR"] = "1", ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>A gzip-compressed tar holding <paramref name="files"/> (path, content), as kaniko users upload a context.</summary>
    public static byte[] TarGz(params (string Path, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, path)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                tar.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The context of every build: a Dockerfile copying one file into an image made from scratch.</summary>
    public static byte[] SampleContext(string marker) => TarGz(
        ("Dockerfile", "FROM scratch\nCOPY greeting.txt /srv/greeting.txt\n"),
        ("greeting.txt", marker + "\n"));

    /// <summary>
    /// Runs <c>dotnet kaniko build --context <paramref name="context"/></c> pushing to <paramref name="destination"/>
    /// with only the store variables in <paramref name="environment"/> (see <see cref="Isolated"/>).
    /// </summary>
    public static Task<ToolResult> BuildAsync(
        BuildHarness build, RegistryFixture registry, string context, string destination, IReadOnlyDictionary<string, string> environment)
    {
        var variables = new Dictionary<string, string?>(Isolated, StringComparer.Ordinal) { ["HOME"] = build.Path() };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return ExternalTools.RunAsync(
            Dotnet,
            [CliAssembly, "build", "--context", context, "--destination", destination, "--insecure-registry", registry.Host,
             "--cache-dir", build.CacheDirectory, "--verbosity", "info"],
            TimeSpan.FromMinutes(3),
            BuildHarness.Cancellation,
            environment: variables);
    }

    /// <summary>Checks the pushed image holds the archive's file.</summary>
    public static async Task AssertImageHasGreetingAsync(BuildHarness build, string reference, string marker)
    {
        var layers = await build.LayerEntriesAsync(reference);
        Assert.Contains("srv/greeting.txt", layers.SelectMany(l => l).Select(e => e.Name));
        var rootfs = await build.UnpackAsync(reference);
        Assert.Equal(marker + "\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "srv", "greeting.txt"), BuildHarness.Cancellation));
    }

    /// <summary>Checks a failed run: exit code 1, the code printed, and none of <paramref name="secrets"/> anywhere.</summary>
    public static void AssertFailedWith(ToolResult run, DiagnosticCode code, params string[] secrets)
    {
        var output = run.StandardOutput + run.StandardError;
        Assert.True(run.ExitCode == 1, output); // a context error fails the build (ExitCodes.BuildFailed)
        Assert.True(output.Contains(code.ToString(), StringComparison.Ordinal), output);
        Assert.Contains(code.ToString(), output, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }
    }

    /// <summary>The code of the <see cref="KanikoException"/> <paramref name="fetch"/> throws.</summary>
    public static async Task<KanikoException> FetchFailsAsync(Func<Stream, Task> fetch)
    {
        using var destination = new MemoryStream();
        return await Assert.ThrowsAsync<KanikoException>(() => fetch(destination));
    }

    /// <summary>A loopback port nothing listens on (taken from the system, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Dotnet => "/usr/share/dotnet/dotnet" is var shared && File.Exists(shared) ? shared : TestRequirements.Executable("dotnet");

    private static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll");
}
