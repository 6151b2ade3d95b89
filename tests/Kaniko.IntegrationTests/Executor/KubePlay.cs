using System.Globalization;
using System.Text.Json.Nodes;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>Where a pod takes a Secret from.</summary>
internal enum SecretUse
{
    /// <summary>A <c>secret</c> volume.</summary>
    Volume,

    /// <summary><c>env</c> entries with <c>valueFrom.secretKeyRef</c>.</summary>
    Environment,
}

/// <summary>How a pod's container ended: its exit code and its log (standard output and error, as the kubelet keeps it).</summary>
internal sealed record PodRun(int ExitCode, string Log);

/// <summary>
/// Runs Pod YAML with <c>podman kube play</c>, which sets up a pod's containers as a kubelet does (the runtime's
/// <c>/etc/hostname</c>, <c>/etc/hosts</c> and <c>/etc/resolv.conf</c>, <c>/sys</c> read-only, <c>/proc</c> partly
/// masked, Secret and emptyDir volumes, init containers first). What podman 4.3 does not do as a kubelet does is set
/// here: containerd's default capabilities (podman's own set lacks MKNOD, NET_RAW and AUDIT_WRITE), limits below the
/// machine's (which an unprivileged runtime may not raise), and an infra (pause) image, since <c>catatonit</c> is not
/// installed: a busybox one made from the fixture. Everything a test creates (pods, Secrets, volumes) is removed when
/// it is disposed, by name.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class KubePlay : IAsyncDisposable
{
    // containerd's (and Docker's) default capabilities, which a pod's container gets unless its securityContext says otherwise.
    private static readonly string[] DefaultCapabilities =
    [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ];

    // The infra container only holds the pod's namespaces; it must stop at once when the pod is removed.
    private const string PauseScript = "#!/bin/sh\ntrap 'exit 0' TERM INT\nwhile :; do sleep 3600 & wait; done\n";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    // A build of the .NET SDK sample takes minutes on a loaded machine; the pod gets as long as a CI job would give it.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(25);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _configuration;

    private readonly TempDirectory _files = new("kaniko-kube-");
    private readonly string _containersConf;
    private readonly List<string> _pods = [];
    private readonly List<string> _secrets = [];
    private readonly List<string> _volumes = [];

    private KubePlay(string containersConf) => _containersConf = containersConf;

    /// <summary>A scratch folder of this instance, removed when it is disposed.</summary>
    public TempDirectory Files => _files;

    /// <summary>Prepares the podman configuration (once per test run) and returns a runner for one test's pods.</summary>
    public static async Task<KubePlay> StartAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            _configuration ??= await ConfigureAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }

        return new KubePlay(_configuration);
    }

    /// <summary>
    /// A Secret with <paramref name="data"/>, as <c>kubectl create secret generic NAME --from-file=KEY=FILE</c> makes it,
    /// stored the way podman 4.3 reads it where <paramref name="usedAs"/> says: a Secret volume's files are the
    /// values of a Secret object's <c>data</c> taken as they are (not base64-decoded), while <c>secretKeyRef</c>
    /// reads a flat JSON map of base64 values.
    /// </summary>
    public async Task CreateSecretAsync(string name, IReadOnlyDictionary<string, string> data, SecretUse usedAs, CancellationToken cancellationToken)
    {
        var values = new JsonObject();
        foreach (var (key, value) in data)
        {
            values[key] = usedAs == SecretUse.Volume ? value : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value));
        }

        var secret = usedAs == SecretUse.Volume
            ? new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = name }, ["type"] = "Opaque", ["data"] = values }
            : values;
        var file = _files.Combine("secret-" + name + ".json");
        await File.WriteAllTextAsync(file, secret.ToJsonString(), cancellationToken);
        await PodmanCheckedAsync(["secret", "create", name, file], cancellationToken);
        _secrets.Add(name);
        File.Delete(file);
    }

    /// <summary>The volume a <c>persistentVolumeClaim</c> named <paramref name="name"/> gets: <paramref name="hostDirectory"/>, bound.</summary>
    public async Task CreateVolumeAsync(string name, string hostDirectory, CancellationToken cancellationToken)
    {
        await PodmanCheckedAsync(["volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=" + hostDirectory, name], cancellationToken);
        _volumes.Add(name);
    }

    /// <summary>
    /// Plays <paramref name="pod"/> and waits for its container <paramref name="container"/> to end. The pod is
    /// removed when this instance is disposed (its infra container keeps it alive until then).
    /// </summary>
    public async Task<PodRun> RunAsync(PodManifest pod, string container, CancellationToken cancellationToken)
    {
        _volumes.AddRange(pod.MakeEmptyDirsPrivate());
        var file = _files.Combine(pod.Name + ".yaml");
        await File.WriteAllTextAsync(file, pod.ToString(), cancellationToken);
        _pods.Add(pod.Name);
        var play = await PodmanAsync(["kube", "play", file], cancellationToken);
        var name = pod.Name + "-" + container;
        if (play.ExitCode != 0 && (await PodmanAsync(["container", "exists", name], cancellationToken)).ExitCode != 0)
        {
            return new PodRun(-1, "podman kube play failed: " + play.StandardOutput + play.StandardError);
        }

        var wait = await PodmanAsync(["wait", name], cancellationToken, BuildTimeout);
        var logs = await PodmanAsync(["logs", name], cancellationToken);
        var exitCode = wait.ExitCode == 0 ? int.Parse(wait.StandardOutput.Trim(), CultureInfo.InvariantCulture) : -1;
        var log = logs.StandardOutput + logs.StandardError;
        return new PodRun(exitCode, exitCode == 0 ? log : play.StandardError + wait.StandardError + log);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in _pods)
        {
            await PodmanAsync(["pod", "rm", "--force", "--time=0", pod], CancellationToken.None);
        }

        foreach (var secret in _secrets)
        {
            await PodmanAsync(["secret", "rm", secret], CancellationToken.None);
        }

        // podman 4.3 keeps a Secret volume's files in a named volume of the Secret's name.
        foreach (var volume in _volumes.Concat(_secrets))
        {
            await PodmanAsync(["volume", "rm", "--force", volume], CancellationToken.None);
        }

        _files.Dispose();
    }

    private Task<ToolResult> PodmanAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        ExternalTools.RunAsync(
            TestRequirements.Executable("podman"), arguments, timeout ?? Timeout, cancellationToken,
            environment: new Dictionary<string, string?> { ["CONTAINERS_CONF"] = _containersConf });

    private async Task PodmanCheckedAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await PodmanAsync(arguments, cancellationToken);
        Assert.True(result.ExitCode == 0, result.CommandLine + ": " + result.StandardError);
    }

    /// <summary>Writes the <c>containers.conf</c> the tests' podman reads, after putting the infra image into podman's storage.</summary>
    private static async Task<string> ConfigureAsync(CancellationToken cancellationToken)
    {
        var infraImage = await InfraImageAsync(cancellationToken);
        var directory = Path.Combine(Path.GetTempPath(), "kaniko-kube-play-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(item => "\"" + item + "\"")) + "]";

        // runc where installed: crun (podman's default) refuses machines with hybrid cgroups, as CI containers have.
        var runtime = ExternalTools.Find("runc") is { } runc ? $"runtime = \"{runc}\"\n" : string.Empty;
        var configuration = Path.Combine(directory, "containers.conf");
        await File.WriteAllTextAsync(configuration, $"""
            [containers]
            default_capabilities = {List(DefaultCapabilities)}
            default_ulimits = {List(["nofile=8192:8192", "nproc=8192:8192"])}

            [engine]
            infra_image = "{infraImage}"
            infra_command = "/pause"
            {runtime}
            """, cancellationToken);
        return configuration;
    }

    /// <summary>The busybox fixture plus a <c>/pause</c> script, its entrypoint.</summary>
    private static async Task<string> InfraImageAsync(CancellationToken cancellationToken)
    {
        var busybox = await BaseImages.BusyboxLayoutAsync(cancellationToken);
        using var temp = new TempDirectory("kaniko-pause-");
        var script = temp.Combine("pause");
        await File.WriteAllTextAsync(script, PauseScript, cancellationToken);
        return await DerivedImage.GetAsync("pause", busybox, script, "/pause", cancellationToken);
    }
}
