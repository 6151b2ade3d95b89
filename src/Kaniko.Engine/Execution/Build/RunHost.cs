using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// What the <c>RUN</c> steps of one build share: the sandbox, chosen (and reported) once, when the first step runs,
/// so a build without <c>RUN</c> probes nothing; and, with <see cref="SandboxKind.None"/>, which stage owns <c>/</c>
/// of this system.
/// </summary>
internal sealed class RunHost
{
    private readonly ExecutionOptions _options;
    private readonly IBuildEventSink _events;
    private ISandbox? _sandbox;
    private readonly Lock _gate = new();
    private string? _hostRootStage;
    private StageRootLadder? _stageRoots;

    /// <summary>Creates the shared part for a build run with <paramref name="options"/>.</summary>
    public RunHost(ExecutionOptions options, IBuildEventSink events)
    {
        _options = options;
        _events = events;
    }

    /// <summary>
    /// Starts the sandbox's probe in the background when <paramref name="plans"/> hold a <c>RUN</c> step (one a base
    /// image's <c>ONBUILD</c> adds is not known here and probes when it runs, as before).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ProbeAhead(IEnumerable<Planning.BuildPlan> plans)
    {
        if (plans.Any(plan => plan.Stages.Any(stage => stage.Steps.Any(step => step.Instruction is Dockerfile.Instructions.RunInstruction))))
        {
            SandboxFactory.StartProbe(_options.Isolation);
        }
    }

    /// <summary>The sandbox every step runs in; throws <c>KANIKO4401</c>/<c>KANIKO4402</c> when none can run here.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public ISandbox Sandbox
    {
        get
        {
            lock (_gate)
            {
                return _sandbox ??= SandboxFactory.Create(_options.Isolation, _events);
            }
        }
    }

    /// <summary>How stage roots are made here (an overlay or unpacked), chosen and reported once, when the first stage needs one.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private StageRootLadder StageRoots
    {
        get
        {
            lock (_gate)
            {
                return _stageRoots ??= StageRootLadder.Choose(_options, _events);
            }
        }
    }

    /// <summary>
    /// The root filesystem of the stage <paramref name="stageName"/>: a fresh folder in <paramref name="workDirectory"/>, or, with
    /// <see cref="SandboxKind.None"/>, <c>/</c> of this system (for one stage only: a second would see the first's files).
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public StageRootFs CreateRootFs(string workDirectory, string stageName, int stageIndex, int baseLayerCount, IBuildEventSink events)
    {
        if (_options.Isolation != SandboxKind.None)
        {
            var directory = Path.Combine(workDirectory, "rootfs-" + stageIndex.ToString(CultureInfo.InvariantCulture));
            var overlay = StageRoots.Overlay(Path.Combine(workDirectory, "ov-" + stageIndex.ToString(CultureInfo.InvariantCulture)));
            return new StageRootFs(directory, ownsDirectory: true, IgnoredPaths.Default, baseLayerCount, _options.SingleSnapshot, events, overlay);
        }

        if (LibC.EffectiveUserId != 0)
        {
            // Unpacking over / fails on the first system folder otherwise; say what the container needs instead.
            throw new KanikoException(DiagnosticCodes.RunNeedsRootInContainer, string.Format(
                CultureInfo.InvariantCulture, Strings.RunNeedsRootInContainer, stageName, LibC.EffectiveUserId));
        }

        lock (_gate)
        {
            if (_hostRootStage is not null && _hostRootStage != stageName)
            {
                throw new KanikoException(DiagnosticCodes.IsolationNoneSecondStage, string.Format(
                    CultureInfo.InvariantCulture, Strings.IsolationNoneSecondStage, stageName, _hostRootStage));
            }

            _hostRootStage = stageName;
        }

        return new StageRootFs("/", ownsDirectory: false, HostRootIgnores(), baseLayerCount, _options.SingleSnapshot, events);
    }

    /// <summary>
    /// What a snapshot of <c>/</c> of this system leaves out and unpacking leaves alone (kaniko's ignore list): the
    /// kernel's file systems, every other mount point of this container (read from <c>/proc/self/mountinfo</c>: the
    /// runtime's <c>/etc/hostname</c>, <c>/etc/hosts</c>, <c>/etc/resolv.conf</c>, <c>/dev/termination-log</c>,
    /// volumes, secrets), <c>/kaniko</c> and <c>/var/run/secrets</c> (service-account tokens) even when they are not
    /// mounts, the build's work and cache folders and the tool's own.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private IgnoredPaths HostRootIgnores()
    {
        var extra = new List<string>
        {
            "/kaniko",
            "/var/run/secrets",
            _options.WorkDirectory,
            _options.BaseImageCache.Root,
            AppContext.BaseDirectory,
            Path.Combine(Path.GetTempPath(), "kaniko-*"),
        };
        if (SharedRuntimeRoot() is { } dotnetRoot)
        {
            extra.Add(dotnetRoot);
        }

        extra.AddRange(RootFsCleanup.MountPointsBelow(string.Empty).Where(m => m != "/"));
        return new IgnoredPaths(extra.Select(p => p.TrimEnd('/')).Where(p => p.StartsWith('/') && p.Length > 1));
    }

    /// <summary>
    /// DOTNET_ROOT of a framework-dependent tool, whose runtime is DOTNET_ROOT/shared/Microsoft.NETCore.App/VERSION;
    /// null for a self-contained one (the executor image's), whose runtime is in <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    private static string? SharedRuntimeRoot()
    {
        var runtime = new DirectoryInfo(Path.TrimEndingDirectorySeparator(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()));
        return runtime.Parent is { Name: "Microsoft.NETCore.App", Parent: { Name: "shared", Parent: { } root } } ? root.FullName : null;
    }
}
