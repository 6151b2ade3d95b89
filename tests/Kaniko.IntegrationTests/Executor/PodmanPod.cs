using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>A host folder or file mounted into a pod's container.</summary>
internal sealed record PodMount(string HostPath, string ContainerPath, bool ReadOnly = false);

/// <summary>
/// What the container of a pod gets besides the image: its volumes, the user it runs as, a read-only root, the
/// isolation mode it is given through the environment. Everything else is what a kubelet sets up (see <see cref="PodmanPod"/>).
/// </summary>
internal sealed record PodSpec
{
    public IReadOnlyList<PodMount> Mounts { get; init; } = [];

    /// <summary><c>securityContext.runAsUser</c>; null runs as the image's user (root).</summary>
    public int? RunAsUser { get; init; }

    /// <summary><c>securityContext.readOnlyRootFilesystem</c>.</summary>
    public bool ReadOnlyRootFilesystem { get; init; }
}

/// <summary>
/// Runs a container as a kubelet runs a pod's container, with <c>podman run</c>: containerd's default capabilities
/// (Docker's 14) and nothing more (no <c>privileged</c>), <c>/sys</c> read-only, <c>/proc</c> partly masked,
/// <c>/etc/hostname</c>, <c>/etc/hosts</c> and <c>/etc/resolv.conf</c> bind-mounted by the runtime, a bind-mounted
/// <c>/dev/termination-log</c>, and a service-account token under <c>/var/run/secrets/kubernetes.io/serviceaccount</c>.
/// The pod shares the host's network (<c>hostNetwork: true</c>) so it reaches the test registries on 127.0.0.1.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PodmanPod : IDisposable
{
    // containerd's (and Docker's) default capabilities, which a pod's container gets unless its securityContext says
    // otherwise; podman's own default set is smaller (no MKNOD, NET_RAW, AUDIT_WRITE).
    private static readonly string[] DefaultCapabilities =
    [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private readonly TempDirectory _files = new("kaniko-pod-");

    /// <summary>A pod named <paramref name="name"/> (its host name, as Kubernetes sets it).</summary>
    public PodmanPod(string name)
    {
        Name = name;
        TerminationLog = _files.Combine("termination-log");
        File.WriteAllText(TerminationLog, string.Empty);
        File.SetUnixFileMode(TerminationLog, (UnixFileMode)0x1B6); // 0666, as the kubelet makes it
        var token = _files.Combine("serviceaccount");
        Directory.CreateDirectory(token);
        File.WriteAllText(Path.Combine(token, "token"), "not-a-real-token");
        File.WriteAllText(Path.Combine(token, "namespace"), "builds");
        ServiceAccount = token;
    }

    public string Name { get; }

    /// <summary>The host file behind the container's <c>/dev/termination-log</c>.</summary>
    public string TerminationLog { get; }

    private string ServiceAccount { get; }

    /// <summary>Runs <paramref name="image"/> with <paramref name="arguments"/> (the container's <c>args</c>) to its end.</summary>
    public Task<ToolResult> RunAsync(string image, IEnumerable<string> arguments, PodSpec spec, CancellationToken cancellationToken)
    {
        // runc where installed: crun (podman's default) refuses machines with hybrid cgroups, as CI containers have.
        // Limits below the machine's, which an unprivileged runtime may not raise.
        List<string> podman = ExternalTools.Find("runc") is { } runc ? ["--runtime", runc] : [];
        podman.AddRange(
        [
            "run", "--rm", "--ulimit=nofile=8192:8192", "--ulimit=nproc=8192:8192", "--name", Name + "-" + Guid.NewGuid().ToString("N")[..8], "--hostname", Name, "--network=host",
            "--pull=never", "--cap-drop=all", "--cap-add=" + string.Join(',', DefaultCapabilities),
            "-v", TerminationLog + ":/dev/termination-log",
            "-v", ServiceAccount + ":/var/run/secrets/kubernetes.io/serviceaccount:ro",
        ]);
        foreach (var mount in spec.Mounts)
        {
            podman.AddRange(["-v", mount.HostPath + ":" + mount.ContainerPath + (mount.ReadOnly ? ":ro" : string.Empty)]);
        }

        if (spec.RunAsUser is { } user)
        {
            podman.Add("--user=" + user.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (spec.ReadOnlyRootFilesystem)
        {
            // Kubernetes adds no tmpfs of its own; podman would mount /tmp, /var/tmp and /run unless told not to.
            podman.AddRange(["--read-only", "--read-only-tmpfs=false"]);
        }

        podman.Add(image);
        podman.AddRange(arguments);
        return ExternalTools.RunAsync(TestRequirements.Executable("podman"), podman, Timeout, cancellationToken);
    }

    public void Dispose() => _files.Dispose();
}
