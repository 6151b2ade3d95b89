using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The metadata side of one stage: the image config and history that BuildKit's Dockerfile frontend produces as it
/// dispatches each instruction (<c>dockerfile2llb/convert.go</c>), starting from a base image's config, from
/// <c>scratch</c>, or from an earlier stage. Filesystem work is not done here: each <see cref="AppliedStep"/> says
/// which layer the step needs, and a <c>RUN</c> step carries the <see cref="RunCommandSpec"/> to execute.
/// A planned step is expanded again against the base image's environment before it is applied
/// (<see cref="Apply(StepPlan)"/>); an instruction given directly is applied as it is (<see cref="Apply(Instruction)"/>).
/// One cohesive algorithm, kept in one file on purpose: the dispatch of every metadata instruction over one state, as
/// <c>convert.go</c> keeps it (the command lines are <see cref="ShellCommandLine"/>, the options <see cref="ConfigStateOptions"/>).
/// </summary>
internal sealed class ImageConfigState
{
    /// <summary>The <c>comment</c> BuildKit writes on every history entry it creates.</summary>
    public const string HistoryComment = "buildkit.dockerfile.v0";

    /// <summary>The <c>PATH</c> BuildKit gives Linux images that do not set one.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    // BuildKit's SBOM switches are arguments that never reach the environment.
    private static readonly HashSet<string> NonEnvironmentArgs = new(StringComparer.Ordinal)
    {
        "BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE",
    };

    private static readonly string[] ProxyKinds = ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"];

    private readonly ConfigStateOptions _options;
    private readonly ShellLexer _lexer;
    private readonly IReadOnlyDictionary<string, string> _givenBuildArgs;
    private readonly VariableMap _globalArgs;
    private readonly StateEnvironment _environment;
    private readonly List<ArgDeclaration> _buildArgs;
    private readonly List<HistoryEntry> _history;
    private readonly List<AppliedStep> _steps = [];
    private ImageConfigFile _image;
    private bool _cmdSet;

    private ImageConfigState(ImageConfigFile image, ConfigStateOptions options, StateEnvironment environment,
        IEnumerable<ArgDeclaration> buildArgs, IReadOnlyList<string> baseTriggers)
    {
        _options = options;
        _lexer = new ShellLexer(options.EscapeToken);
        _givenBuildArgs = options.BuildArgs.GroupBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        _globalArgs = new VariableMap(options.GlobalArgs);
        _environment = environment;
        _buildArgs = [.. buildArgs];
        // BuildKit reads the base config into docker-image-spec's struct, which has no place for fields it does not
        // know (container_config, docker_version, Hostname, ...): they do not reach the new image.
        _history = [.. (image.History ?? []).Select(h => h with { AdditionalProperties = null })];
        image = image with
        {
            AdditionalProperties = null,
            RootFs = image.RootFs with { AdditionalProperties = null },
            Config = image.Config is null ? null : image.Config with
            {
                AdditionalProperties = null,
                Healthcheck = image.Config.Healthcheck is null ? null : image.Config.Healthcheck with { AdditionalProperties = null },
            },
        };
        BaseOnBuildTriggers = baseTriggers;

        // As BuildKit prepares every stage: triggers are consumed, PATH is always set on Linux, the image's Env
        // enters the build state, and a relative WorkingDir is resolved.
        var config = (image.Config ?? new ContainerConfig()) with { OnBuild = null };
        if (!ShellCommandLine.IsWindows(image.Os) && !(config.Env ?? []).Any(e => EnvEntry.Split(e).Name == "PATH"))
        {
            config = config with { Env = [.. config.Env ?? [], "PATH=" + DefaultPath] };
        }

        _environment.SetAll(config.Env ?? []);
        if (!string.IsNullOrEmpty(config.WorkingDir))
        {
            config = config with { WorkingDir = ContainerWorkdir.Normalize(config.WorkingDir, config.WorkingDir) };
        }

        _image = image with { Config = config };
    }

    /// <summary>
    /// Starts a stage from a base image's config. Its <c>created</c> is dropped (the new one is
    /// <see cref="ConfigStateOptions.Created"/>); its history is kept; its <c>ONBUILD</c> triggers are removed from
    /// the config and listed in <see cref="BaseOnBuildTriggers"/> for the caller to run first.
    /// </summary>
    public static ImageConfigState FromImage(ImageConfigFile baseImage, ConfigStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        ArgumentNullException.ThrowIfNull(options);
        return new ImageConfigState(baseImage with { Created = null }, options, new StateEnvironment(), [],
            baseImage.Config?.OnBuild ?? []);
    }

    /// <summary>
    /// Starts a stage from <c>scratch</c> for <paramref name="platform"/>: BuildKit's empty image, with
    /// <c>WorkingDir</c> <c>/</c> and, on Linux, the default <c>PATH</c>.
    /// </summary>
    public static ImageConfigState FromScratch(Platform platform, ConfigStateOptions options)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(options);
        var image = new ImageConfigFile
        {
            Architecture = platform.Architecture,
            Os = platform.Os,
            OsVersion = platform.OsVersion,
            OsFeatures = platform.OsFeatures,
            Variant = platform.Variant,
            Config = new ContainerConfig { WorkingDir = "/", Env = ShellCommandLine.IsWindows(platform.Os) ? null : ["PATH=" + DefaultPath] },
        };
        return new ImageConfigState(image, options, new StateEnvironment(), [], []);
    }

    /// <summary>
    /// Starts a stage <c>FROM</c> this (earlier) stage: it inherits the config, history, environment and the
    /// <c>ARG</c>s in scope, but not the <c>ONBUILD</c> triggers (the planner replays them as steps) nor the
    /// record of a <c>CMD</c> set in this stage.
    /// </summary>
    public ImageConfigState ForDerivedStage() =>
        new(Config, _options, new StateEnvironment(_environment), _buildArgs, []);

    /// <summary>The config as it stands: <c>created</c> set, <c>history</c> holding the base's entries then this stage's.</summary>
    public ImageConfigFile Config => _image with
    {
        Created = GoFormat.Timestamp(_options.Created),
        Config = Normalized(_image.Config!),
        History = _history.ToArray(),
    };

    /// <summary>The steps applied to this stage so far, in order.</summary>
    public IReadOnlyList<AppliedStep> Steps => _steps;

    /// <summary>
    /// The <c>ONBUILD</c> triggers stored in the base image, which BuildKit runs before the stage's own
    /// instructions; they are no longer in <see cref="Config"/>.
    /// </summary>
    public IReadOnlyList<string> BaseOnBuildTriggers { get; }

    /// <summary>
    /// The build state's variables: the base image's <c>Env</c>, then <c>ENV</c> and <c>ARG</c> values in order.
    /// BuildKit expands instructions against this; the planner could not (it does not know the base image).
    /// </summary>
    public IVariableSource Variables => _environment;

    /// <summary>The <c>ARG</c>s in scope (inherited ones first), with their values, each name once, as <c>RUN</c> records them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs => ResolvedBuildArgs();

    /// <summary>
    /// Applies a planned step after expanding its instruction again against <see cref="Variables"/>, as BuildKit
    /// expands it: unlike the planner, this sees the base image's <c>Env</c> (so <c>ENV PATH=/opt/bin:$PATH</c> keeps
    /// the base image's <c>PATH</c>). An <c>ARG</c> is resolved again from <see cref="ConfigStateOptions.BuildArgs"/>
    /// and <see cref="ConfigStateOptions.GlobalArgs"/>.
    /// </summary>
    public AppliedStep Apply(StepPlan step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return Apply(Expand(step.Instruction));
    }

    /// <summary>
    /// <paramref name="instruction"/> (as written) expanded against <see cref="Variables"/>; an <c>ARG</c> comes back
    /// with each declaration's resolved value as its default, or <c>null</c> when it stays unset.
    /// </summary>
    public Instruction Expand(Instruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        if (instruction is not ArgInstruction arg)
        {
            return StepExpansion.Expand(instruction, _environment, _lexer);
        }

        // Each declaration sees the values the earlier ones of the same ARG set (BuildKit updates its state in the loop),
        // so resolve against a copy that follows along.
        var scope = new StateEnvironment(_environment);
        var resolved = new List<ArgDeclaration>();
        // The names are expanded against the variables before the ARG, as the planner does.
        var declarations = arg.Arguments.Select(written => StepExpansion.ExpandName(written, _environment, _lexer, arg.Range)).ToArray();
        foreach (var declaration in declarations)
        {
            var value = StepExpansion.ResolveArg(declaration, _givenBuildArgs, _globalArgs, scope, _lexer, arg.Range);
            if (value is not null && !NonEnvironmentArgs.Contains(declaration.Name))
            {
                scope.Set(declaration.Name, value);
            }

            resolved.Add(declaration with { DefaultValue = value });
        }

        return arg with { Arguments = resolved };
    }

    /// <summary>
    /// Applies one expanded instruction as BuildKit's <c>dispatch</c> does and records its history entry.
    /// Throws <see cref="KanikoException"/> for values only checked at this point (ports, empty volumes).
    /// </summary>
    public AppliedStep Apply(Instruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var step = instruction switch
        {
            EnvInstruction env => ApplyEnv(env),
            LabelInstruction label => ApplyLabel(label),
            ExposeInstruction expose => ApplyExpose(expose),
            VolumeInstruction volume => ApplyVolume(volume),
            UserInstruction user => Metadata(user, c => c with { User = user.User }, "USER " + user.User),
            WorkdirInstruction workdir => ApplyWorkdir(workdir),
            ShellInstruction shell => Metadata(shell, c => c with { Shell = shell.Shell.ToArray() }, "SHELL " + GoFormat.List(shell.Shell)),
            StopsignalInstruction stop => Metadata(stop, c => c with { StopSignal = stop.Signal }, "STOPSIGNAL " + stop.Signal),
            HealthcheckInstruction health => ApplyHealthcheck(health),
            CmdInstruction cmd => ApplyCmd(cmd),
            EntrypointInstruction entrypoint => ApplyEntrypoint(entrypoint),
            OnbuildInstruction onbuild => ApplyOnbuild(onbuild),
            MaintainerInstruction maintainer => ApplyMaintainer(maintainer),
            ArgInstruction arg => ApplyArg(arg),
            CopyInstruction copy => Layered(copy, StepLayerKind.Copy, CopyHistory("COPY", copy.Parents, copy.Chown, copy.Chmod, copy.Sources)),
            AddInstruction add => Layered(add, StepLayerKind.Add, CopyHistory("ADD", false, add.Chown, add.Chmod, add.Sources)),
            RunInstruction run => ApplyRun(run),
            _ => throw new KanikoException(DiagnosticCodes.InternalError,
                string.Format(CultureInfo.InvariantCulture, Strings.ConfigStateUnsupportedInstruction, instruction.Name), instruction.Range),
        };
        _steps.Add(step);
        return step;
    }

    /// <summary>
    /// The process a <c>RUN</c> starts in the current state, without applying it: shell form wrapped in
    /// <c>SHELL</c> (default <c>/bin/sh -c</c>), heredocs joined to the command as BuildKit does, the environment with
    /// the <c>ARG</c> values and proxies, the config's user and working directory.
    /// </summary>
    public RunCommandSpec PrepareRun(RunInstruction run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (args, script) = ShellCommandLine.ForRun(run, _image);
        var environment = _environment.Entries.Select(kv => kv.Key + "=" + kv.Value).ToList();
        environment.AddRange(ProxyEnvironment());
        if (!ShellCommandLine.IsWindows(_image.Os) && !environment.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)))
        {
            environment.Add("PATH=" + DefaultPath);
        }

        var workdir = _image.Config!.WorkingDir;
        return new RunCommandSpec(args, environment, _image.Config.User ?? "", string.IsNullOrEmpty(workdir) ? "/" : workdir, script);
    }

    private AppliedStep ApplyEnv(EnvInstruction env)
    {
        var config = _image.Config!;
        foreach (var variable in env.Variables)
        {
            _environment.Set(variable.Key, variable.Value);
            config = config with { Env = EnvEntry.With(config.Env, variable.Key, variable.Value) };
        }

        return Metadata(env, _ => config, "ENV" + string.Concat(env.Variables.Select(v => " " + v.Key + "=" + v.Value)));
    }

    private AppliedStep ApplyLabel(LabelInstruction label)
    {
        var labels = new Dictionary<string, string>(_image.Config!.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var pair in label.Labels)
        {
            labels[pair.Key] = pair.Value;
        }

        return Metadata(label, c => c with { Labels = labels },
            "LABEL" + string.Concat(label.Labels.Select(v => " " + v.Key + "=" + v.Value)));
    }

    private AppliedStep ApplyExpose(ExposeInstruction expose)
    {
        var ports = ExposedPorts.Parse(expose.Ports, expose.Range);
        var set = new HashSet<string>(_image.Config!.ExposedPorts ?? new HashSet<string>(), StringComparer.Ordinal);
        set.UnionWith(ports);
        return Metadata(expose, c => c with { ExposedPorts = set }, "EXPOSE " + GoFormat.List(ports));
    }

    private AppliedStep ApplyVolume(VolumeInstruction volume)
    {
        var set = new HashSet<string>(_image.Config!.Volumes ?? new HashSet<string>(), StringComparer.Ordinal);
        foreach (var path in volume.Volumes)
        {
            if (path.Length == 0)
            {
                throw new KanikoException(DiagnosticCodes.EmptyVolume, Strings.EmptyVolume, volume.Range);
            }

            set.Add(path);
        }

        return Metadata(volume, c => c with { Volumes = set }, "VOLUME " + GoFormat.List(volume.Volumes));
    }

    private AppliedStep ApplyWorkdir(WorkdirInstruction workdir)
    {
        var directory = ContainerWorkdir.Normalize(_image.Config!.WorkingDir, workdir.Path);
        _image = _image with { Config = _image.Config with { WorkingDir = directory } };
        var text = "WORKDIR " + directory;
        return directory == "/"
            ? Record(workdir, text, StepLayerKind.None)
            : Record(workdir, text, StepLayerKind.CreateWorkdir) with { Workdir = new WorkdirCreation(directory, _image.Config.User ?? "") };
    }

    private AppliedStep ApplyHealthcheck(HealthcheckInstruction health)
    {
        var check = new HealthConfig
        {
            Test = health.Test.ToArray(),
            Interval = GoFormat.Nanoseconds(health.Interval),
            Timeout = GoFormat.Nanoseconds(health.Timeout),
            StartPeriod = GoFormat.Nanoseconds(health.StartPeriod),
            StartInterval = GoFormat.Nanoseconds(health.StartInterval),
            Retries = health.Retries == 0 ? null : health.Retries,
        };
        return Metadata(health, c => c with { Healthcheck = check }, "HEALTHCHECK " + GoFormat.Healthcheck(health));
    }

    private AppliedStep ApplyCmd(CmdInstruction cmd)
    {
        var args = cmd.PrependShell ? ShellCommandLine.WithShell(_image, cmd.CommandLine) : cmd.CommandLine.ToArray();
        _cmdSet = true;

        // BuildKit marks every CMD as escaped, a Windows notion Linux runtimes ignore.
        return Metadata(cmd, c => c with { Cmd = args, ArgsEscaped = true }, "CMD " + GoFormat.QuotedList(args));
    }

    private AppliedStep ApplyEntrypoint(EntrypointInstruction entrypoint)
    {
        var args = entrypoint.PrependShell ? ShellCommandLine.WithShell(_image, entrypoint.CommandLine) : entrypoint.CommandLine.ToArray();

        // A new ENTRYPOINT drops the inherited CMD, but keeps one this stage set earlier (BuildKit's cmd tracker).
        return Metadata(entrypoint, c => c with { Entrypoint = args, Cmd = _cmdSet ? c.Cmd : null },
            "ENTRYPOINT " + GoFormat.QuotedList(args));
    }

    private AppliedStep ApplyOnbuild(OnbuildInstruction onbuild)
    {
        _image = _image with { Config = _image.Config! with { OnBuild = [.. _image.Config.OnBuild ?? [], onbuild.Expression] } };

        // dispatchOnbuild commits nothing to the history.
        return new AppliedStep(onbuild, null, StepLayerKind.None);
    }

    private AppliedStep ApplyMaintainer(MaintainerInstruction maintainer)
    {
        _image = _image with { Author = maintainer.Maintainer };
        return Record(maintainer, "MAINTAINER " + maintainer.Maintainer, StepLayerKind.None);
    }

    private AppliedStep ApplyArg(ArgInstruction arg)
    {
        // The planner resolved each value (build argument, expanded default or global value); null means unset.
        foreach (var declaration in arg.Arguments)
        {
            if (declaration.DefaultValue is { } value && !NonEnvironmentArgs.Contains(declaration.Name))
            {
                _environment.Set(declaration.Name, value);
            }

            _buildArgs.Add(declaration);
        }

        var text = "ARG " + string.Join(' ', arg.Arguments.Select(a => a.DefaultValue is null ? a.Name : a.Name + "=" + a.DefaultValue));
        return Record(arg, text, StepLayerKind.None);
    }

    private AppliedStep ApplyRun(RunInstruction run)
    {
        var spec = PrepareRun(run);
        var buildArgs = ResolvedBuildArgs();
        var prefix = buildArgs.Count == 0 ? ""
            : "|" + buildArgs.Count.ToString(CultureInfo.InvariantCulture) + " " + string.Concat(buildArgs.Select(kv => kv.Key + "=" + kv.Value + " "));
        var text = "RUN " + prefix + string.Join(' ', spec.Args) + " # buildkit";
        return Record(run, text, StepLayerKind.Run) with { Run = spec };
    }

    private IReadOnlyList<KeyValuePair<string, string>> ResolvedBuildArgs()
    {
        // runCommandString: each name once, where it was first declared, with the state's current value (an ENV of
        // the same name wins), else the declared value, else empty.
        var result = new List<KeyValuePair<string, string>>();
        foreach (var declaration in _buildArgs)
        {
            var value = _environment.TryGetValue(declaration.Name, out var current) ? current : declaration.DefaultValue ?? "";
            var index = result.FindIndex(kv => kv.Key == declaration.Name);
            if (index >= 0)
            {
                result[index] = new(declaration.Name, value);
            }
            else
            {
                result.Add(new(declaration.Name, value));
            }
        }

        return result;
    }

    private IEnumerable<string> ProxyEnvironment()
    {
        // proxyEnvFromBuildArgs: names compare ignoring case, sorted, so a lower-case name wins over its upper-case twin;
        // the process gets both spellings of every non-empty value.
        foreach (var kind in ProxyKinds)
        {
            var value = _options.ProxyArgs.Where(kv => string.Equals(kv.Key, kind, StringComparison.OrdinalIgnoreCase))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).LastOrDefault();
            if (!string.IsNullOrEmpty(value))
            {
                yield return kind + "=" + value;
                yield return kind.ToLowerInvariant() + "=" + value;
            }
        }
    }

    private static string CopyHistory(string name, bool parents, string? chown, string? chmod, CopySources sources)
    {
        var parts = new List<string> { name };
        if (parents)
        {
            parts.Add("--parents");
        }

        if (!string.IsNullOrEmpty(chown))
        {
            parts.Add("--chown=" + chown);
        }

        if (!string.IsNullOrEmpty(chmod))
        {
            parts.Add("--chmod=" + chmod);
        }

        parts.AddRange(sources.SourcePaths);
        parts.AddRange(sources.SourceContents.Select(c => "<<" + c.Path));
        parts.Add(sources.Destination);
        return string.Join(' ', parts) + " # buildkit";
    }

    private AppliedStep Metadata(Instruction instruction, Func<ContainerConfig, ContainerConfig> change, string text)
    {
        _image = _image with { Config = change(_image.Config!) };
        return Record(instruction, text, StepLayerKind.None);
    }

    private AppliedStep Layered(Instruction instruction, StepLayerKind kind, string text) => Record(instruction, text, kind);

    private AppliedStep Record(Instruction instruction, string text, StepLayerKind layer)
    {
        var entry = new HistoryEntry
        {
            Created = GoFormat.Timestamp(_options.Created),
            CreatedBy = text,
            Comment = HistoryComment,
            EmptyLayer = layer == StepLayerKind.None ? true : null,
        };
        _history.Add(entry);
        return new AppliedStep(instruction, entry, layer);
    }

    // Go's omitempty: empty lists and maps are not written at all.
    private static ContainerConfig Normalized(ContainerConfig config) => config with
    {
        Env = GoFormat.NullIfEmpty(config.Env),
        Cmd = GoFormat.NullIfEmpty(config.Cmd),
        Entrypoint = GoFormat.NullIfEmpty(config.Entrypoint),
        OnBuild = GoFormat.NullIfEmpty(config.OnBuild),
        Shell = GoFormat.NullIfEmpty(config.Shell),
        ExposedPorts = config.ExposedPorts is { Count: > 0 } ports ? ports : null,
        Volumes = config.Volumes is { Count: > 0 } volumes ? volumes : null,
        Labels = config.Labels is { Count: > 0 } labels ? labels : null,
        User = string.IsNullOrEmpty(config.User) ? null : config.User,
        WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? null : config.WorkingDir,
        StopSignal = string.IsNullOrEmpty(config.StopSignal) ? null : config.StopSignal,
        ArgsEscaped = config.ArgsEscaped == true ? true : null,
    };
}
