using System.Text;
using System.Text.RegularExpressions;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// Turns the syntax tree into typed instructions, with BuildKit's rules (<c>instructions/parse.go</c>): argument
/// counts, flags, stage names, mounts, heredocs and ONBUILD triggers are checked here, before anything is expanded.
/// Every flag or instruction that is not supported is an error located at its line, never ignored.
/// A parser, kept in one file on purpose: one method per instruction over the same flag and argument rules.
/// </summary>
internal static partial class InstructionParser
{
    /// <summary>Reads a whole parsed Dockerfile: the global <c>ARG</c>s, then the stages.</summary>
    public static DockerfileInstructions ParseDockerfile(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var warnings = new List<BuildWarning>(result.Warnings);
        var metaArgs = new List<ArgInstruction>();
        var stages = new List<(FromInstruction From, List<Instruction> Body)>();
        foreach (var node in result.Nodes)
        {
            var instruction = ParseInstruction(node, result.FileName, warnings);
            switch (instruction)
            {
                case FromInstruction from:
                    stages.Add((from, []));
                    break;
                case ArgInstruction arg when stages.Count == 0:
                    metaArgs.Add(arg);
                    break;
                default:
                    if (stages.Count == 0)
                    {
                        throw InstructionError.Create(DiagnosticCodes.InstructionBeforeFrom, instruction.Range, Strings.InstructionBeforeFrom, instruction.Name);
                    }

                    stages[^1].Body.Add(instruction);
                    break;
            }
        }

        return new DockerfileInstructions(
            result.FileName,
            result.Directives.EscapeToken,
            metaArgs,
            stages.Select((s, i) => new Stage(i, s.From, s.Body)).ToArray(),
            warnings);
    }

    /// <summary>Reads one instruction node. Warnings (a deprecated MAINTAINER) are added to <paramref name="warnings"/>.</summary>
    public static Instruction ParseInstruction(SyntaxNode node, string fileName, ICollection<BuildWarning>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var request = new ParseRequest(node, new SourceRange(fileName, node.StartLine, node.EndLine));
        Utf8Check.Require(node, request.Range);
        return node.Name switch
        {
            "from" => ParseFrom(request),
            "run" => ParseRun(request),
            "cmd" => ParseCmd(request),
            "entrypoint" => ParseEntrypoint(request),
            "shell" => ParseShell(request),
            "copy" => ParseCopy(request),
            "add" => ParseAdd(request),
            "env" => ParseEnv(request),
            "arg" => ParseArg(request),
            "label" => ParseLabel(request),
            "expose" => ParseExpose(request),
            "volume" => ParseVolume(request),
            "user" => ParseUser(request),
            "workdir" => ParseWorkdir(request),
            "stopsignal" => ParseStopsignal(request),
            "healthcheck" => ParseHealthcheck(request),
            "maintainer" => ParseMaintainer(request, warnings),
            "onbuild" => ParseOnbuild(request, fileName, warnings),
            _ => throw InstructionError.WithSuggestion(DiagnosticCodes.UnknownInstruction, request.Range,
                Suggestion.Find(node.Keyword, KnownInstructions, caseSensitive: false), Strings.UnknownInstruction, node.Keyword),
        };
    }

    private static readonly string[] KnownInstructions =
    [
        InstructionNames.Add, InstructionNames.Arg, InstructionNames.Cmd, InstructionNames.Copy, InstructionNames.Entrypoint,
        InstructionNames.Env, InstructionNames.Expose, InstructionNames.From, InstructionNames.Healthcheck, InstructionNames.Label,
        InstructionNames.Maintainer, InstructionNames.Onbuild, InstructionNames.Run, InstructionNames.Shell, InstructionNames.Stopsignal,
        InstructionNames.User, InstructionNames.Volume, InstructionNames.Workdir,
    ];

    internal static FromInstruction ParseFrom(ParseRequest request)
    {
        var args = request.Arguments;
        string? stageName = null;
        if (args.Count == 3 && string.Equals(args[1], "as", StringComparison.OrdinalIgnoreCase))
        {
            stageName = args[2].ToLowerInvariant();
            if (!StageNamePattern().IsMatch(stageName))
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidStageName, request.Range, Strings.InvalidStageName, args[2]);
            }
        }
        else if (args.Count != 1)
        {
            throw request.ArgumentError(Strings.FromArgumentCount);
        }

        var flags = request.Flags();
        var platform = flags.AddString("platform");
        flags.Parse();
        return new FromInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            BaseName = args[0], Platform = platform.Value, StageName = stageName,
        };
    }

    internal static RunInstruction ParseRun(ParseRequest request)
    {
        var flags = request.Flags();
        var mount = flags.AddStrings("mount");
        var network = flags.AddString("network");
        var security = flags.AddString("security");
        flags.Parse();

        var networkMode = (network.Value ?? "default") switch
        {
            "default" => RunNetwork.Default,
            "none" => RunNetwork.None,
            "host" => RunNetwork.Host,
            var other => throw InstructionError.Create(DiagnosticCodes.InvalidRunOption, request.Range, Strings.RunInvalidNetwork, other),
        };
        var securityMode = (security.Value ?? "sandbox") switch
        {
            "sandbox" => RunSecurity.Sandbox,
            "insecure" => RunSecurity.Insecure,
            var other => throw InstructionError.Create(DiagnosticCodes.InvalidRunOption, request.Range, Strings.RunInvalidSecurity, other),
        };

        return new RunInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            CommandLine = request.CommandLine(),
            PrependShell = !request.Node.IsJsonForm,
            Heredocs = request.Node.Heredocs.Select(h => new InlineFile(h.Name, h.Content, h.Chomp)).ToArray(),
            MountSpecs = mount.Values,
            Mounts = mount.Values.Select(spec => RunMount.Parse(spec, null, request.Range)).ToArray(),
            Network = networkMode,
            NetworkGiven = network.IsUsed,
            Security = securityMode,
            SecurityGiven = security.IsUsed,
        };
    }

    internal static CmdInstruction ParseCmd(ParseRequest request)
    {
        request.Flags().Parse();
        return new CmdInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            CommandLine = request.CommandLine(), PrependShell = !request.Node.IsJsonForm,
        };
    }

    internal static EntrypointInstruction ParseEntrypoint(ParseRequest request)
    {
        request.Flags().Parse();
        return new EntrypointInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            CommandLine = request.CommandLine(), PrependShell = !request.Node.IsJsonForm,
        };
    }

    internal static ShellInstruction ParseShell(ParseRequest request)
    {
        request.Flags().Parse();
        var shell = request.CommandLine();
        if (shell.Count == 0)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Shell);
        }

        if (!request.Node.IsJsonForm)
        {
            throw InstructionError.Create(DiagnosticCodes.ShellRequiresJson, request.Range, Strings.ShellRequiresJson, InstructionNames.Shell);
        }

        return new ShellInstruction { Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original, Shell = shell };
    }

    internal static CopyInstruction ParseCopy(ParseRequest request)
    {
        request.RequireDestination(InstructionNames.Copy);
        var flags = request.Flags();
        var chown = flags.AddString("chown");
        var from = flags.AddString("from");
        var chmod = flags.AddString("chmod");
        var link = flags.AddBool("link");
        var excludes = flags.AddStrings("exclude");
        var parents = flags.AddBool("parents");
        flags.Parse();
        return new CopyInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Sources = request.SourcesAndDestination(InstructionNames.Copy),
            From = from.Value, Chown = chown.Value, Chmod = chmod.Value, Link = link.BoolValue, Parents = parents.BoolValue,
            Excludes = excludes.Values,
        };
    }

    internal static AddInstruction ParseAdd(ParseRequest request)
    {
        request.RequireDestination(InstructionNames.Add);
        var flags = request.Flags();
        var chown = flags.AddString("chown");
        var chmod = flags.AddString("chmod");
        var link = flags.AddBool("link");
        var keepGitDir = flags.AddBool("keep-git-dir");
        var checksum = flags.AddString("checksum");
        var unpack = flags.AddBool("unpack");
        var excludes = flags.AddStrings("exclude");
        flags.Parse();
        return new AddInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Sources = request.SourcesAndDestination(InstructionNames.Add),
            Chown = chown.Value, Chmod = chmod.Value, Link = link.BoolValue, Checksum = checksum.Value,
            KeepGitDir = keepGitDir.IsUsed ? keepGitDir.BoolValue : null,
            Unpack = unpack.IsUsed ? unpack.BoolValue : null,
            Excludes = excludes.Values,
        };
    }

    internal static EnvInstruction ParseEnv(ParseRequest request)
    {
        request.Flags().Parse();
        return new EnvInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Variables = request.KeyValues(InstructionNames.Env),
        };
    }

    internal static LabelInstruction ParseLabel(ParseRequest request)
    {
        request.Flags().Parse();
        return new LabelInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Labels = request.KeyValues(InstructionNames.Label),
        };
    }

    internal static ArgInstruction ParseArg(ParseRequest request)
    {
        if (request.Arguments.Count == 0)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Arg);
        }

        request.Flags().Parse();
        var declarations = new List<ArgDeclaration>();
        foreach (var word in request.Arguments)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals == 0)
            {
                throw request.ArgumentError(Strings.BlankNames, InstructionNames.Arg);
            }

            declarations.Add(equals < 0 ? new ArgDeclaration(word, null) : new ArgDeclaration(word[..equals], word[(equals + 1)..]));
        }

        return new ArgInstruction { Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original, Arguments = declarations };
    }

    internal static ExposeInstruction ParseExpose(ParseRequest request)
    {
        if (request.Arguments.Count == 0)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Expose);
        }

        request.Flags().Parse();

        // BuildKit sorts the port words before it expands them.
        var ports = request.Arguments.Order(StringComparer.Ordinal).ToArray();
        return new ExposeInstruction { Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original, Ports = ports };
    }

    internal static VolumeInstruction ParseVolume(ParseRequest request)
    {
        if (request.Arguments.Count == 0)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Volume);
        }

        request.Flags().Parse();
        var volumes = request.Arguments.Select(v => v.Trim()).ToArray();
        if (volumes.Any(v => v.Length == 0))
        {
            throw request.ArgumentError(Strings.VolumeEmpty);
        }

        return new VolumeInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Volumes = volumes, IsJsonForm = request.Node.IsJsonForm,
        };
    }

    internal static UserInstruction ParseUser(ParseRequest request) => new()
    {
        Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
        User = request.SingleArgument(InstructionNames.User),
    };

    internal static WorkdirInstruction ParseWorkdir(ParseRequest request) => new()
    {
        Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
        Path = request.SingleArgument(InstructionNames.Workdir),
    };

    internal static StopsignalInstruction ParseStopsignal(ParseRequest request) => new()
    {
        Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
        Signal = request.SingleArgument(InstructionNames.Stopsignal),
    };

    internal static MaintainerInstruction ParseMaintainer(ParseRequest request, ICollection<BuildWarning>? warnings)
    {
        var maintainer = request.SingleArgument(InstructionNames.Maintainer);
        warnings?.Add(new BuildWarning(DiagnosticCodes.MaintainerDeprecated, Strings.MaintainerDeprecated, request.Range));
        return new MaintainerInstruction { Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original, Maintainer = maintainer };
    }

    internal static HealthcheckInstruction ParseHealthcheck(ParseRequest request)
    {
        if (request.Arguments.Count == 0)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Healthcheck);
        }

        var type = request.Arguments[0].ToUpperInvariant();
        var rest = request.Arguments.Skip(1).ToArray();
        var flags = request.Flags();
        if (type == "NONE")
        {
            // BuildKit declares and parses the options only for CMD: those written before NONE are never read.
            if (rest.Length != 0)
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, request.Range, Strings.HealthcheckNoneArguments);
            }

            return new HealthcheckInstruction { Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original, Test = ["NONE"] };
        }

        var interval = flags.AddString("interval");
        var timeout = flags.AddString("timeout");
        var startPeriod = flags.AddString("start-period");
        var startInterval = flags.AddString("start-interval");
        var retries = flags.AddString("retries");
        flags.Parse();

        if (type != "CMD")
        {
            throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, request.Range, Strings.HealthcheckUnknownType, type);
        }

        var command = JoinUnlessJson(rest, request.Node.IsJsonForm);
        if (command.Count == 0)
        {
            throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, request.Range, Strings.HealthcheckMissingCommand);
        }

        var retryCount = 0;
        if (retries.Value is { } retryText)
        {
            if (!int.TryParse(retryText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out retryCount))
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, request.Range, Strings.HealthcheckInvalidRetries, retryText);
            }

            if (retryCount < 0)
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, request.Range, Strings.HealthcheckNegativeRetries, retryCount);
            }
        }

        return new HealthcheckInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Test = [request.Node.IsJsonForm ? "CMD" : "CMD-SHELL", .. command],
            Interval = request.Interval(interval),
            Timeout = request.Interval(timeout),
            StartPeriod = request.Interval(startPeriod),
            StartInterval = request.Interval(startInterval),
            Retries = retryCount,
        };
    }

    internal static OnbuildInstruction ParseOnbuild(ParseRequest request, string fileName, ICollection<BuildWarning>? warnings)
    {
        if (request.Node.Nested is not { } nested)
        {
            throw request.ArgumentError(Strings.ArgumentsAtLeastOne, InstructionNames.Onbuild);
        }

        request.Flags().Parse();
        switch (nested.Name)
        {
            case "onbuild":
                throw InstructionError.Create(DiagnosticCodes.InvalidOnbuildTrigger, request.Range, Strings.OnbuildChained);
            case "maintainer" or "from":
                throw InstructionError.Create(DiagnosticCodes.InvalidOnbuildTrigger, request.Range, Strings.OnbuildNotAllowed, nested.Name.ToUpperInvariant());
        }

        // The parser hangs the heredoc bodies of ONBUILD RUN <<EOF on the ONBUILD node; the trigger needs them.
        var heredocs = request.Node.Heredocs.Count > 0 ? request.Node.Heredocs : nested.Heredocs;
        var triggerNode = new SyntaxNode
        {
            Keyword = nested.Keyword, Flags = nested.Flags, Arguments = nested.Arguments, Nested = nested.Nested,
            IsJsonForm = nested.IsJsonForm, Original = nested.Original, StartLine = request.Node.StartLine,
            EndLine = request.Node.EndLine, Heredocs = heredocs,
        };
        var trigger = ParseInstruction(triggerNode, fileName, warnings);
        var expression = new StringBuilder(OnbuildPrefix().Replace(request.Node.Original, "", 1));
        foreach (var heredoc in heredocs)
        {
            expression.Append('\n').Append(heredoc.Content).Append(heredoc.Name);
        }

        return new OnbuildInstruction
        {
            Keyword = request.Node.Keyword, Range = request.Range, Original = request.Node.Original,
            Expression = expression.ToString(), Trigger = trigger,
        };
    }

    private static List<string> JoinUnlessJson(IReadOnlyList<string> args, bool isJson) =>
        args.Count == 0 ? [] : isJson ? [.. args] : [string.Join(' ', args)];

    [GeneratedRegex("^[a-z][a-z0-9-_.]*$", RegexOptions.CultureInvariant)]
    private static partial Regex StageNamePattern();

    [GeneratedRegex(@"^\s*ONBUILD\s*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex OnbuildPrefix();

    [GeneratedRegex(@"^(\d*)<<(-?)\s*([^<]*)$", RegexOptions.CultureInvariant)]
    internal static partial Regex HeredocMarker();

    /// <summary>One node being read, with the helpers every <c>ParseX</c> method shares.</summary>
    internal sealed record ParseRequest(SyntaxNode Node, SourceRange Range)
    {
        public IReadOnlyList<string> Arguments => Node.Arguments;

        public FlagParser Flags() => new(Node.Flags, Range);

        public KanikoException ArgumentError(string format, params object?[] args) =>
            InstructionError.Create(DiagnosticCodes.InvalidInstructionArguments, Range, format, args);

        public List<string> CommandLine() => JoinUnlessJson(Arguments, Node.IsJsonForm);

        public string SingleArgument(string name)
        {
            if (Arguments.Count != 1)
            {
                throw ArgumentError(Strings.ArgumentsExactlyOne, name);
            }

            Flags().Parse();
            return Arguments[0];
        }

        public void RequireDestination(string name)
        {
            if (Arguments.Count < 2)
            {
                throw ArgumentError(Strings.ArgumentsNoDestination, name);
            }
        }

        public KeyValue[] KeyValues(string name)
        {
            if (Arguments.Count == 0)
            {
                throw ArgumentError(Strings.ArgumentsAtLeastOne, name);
            }

            var pairs = new List<KeyValue>();
            for (var i = 0; i < Arguments.Count; i += 3)
            {
                if (Arguments[i].Length == 0)
                {
                    throw ArgumentError(Strings.BlankNames, name);
                }

                var value = i + 1 < Arguments.Count ? Arguments[i + 1] : "";
                var delimiter = i + 2 < Arguments.Count ? Arguments[i + 2] : "";
                pairs.Add(new KeyValue(Arguments[i], value, delimiter.Length == 0));
            }

            return [.. pairs];
        }

        public CopySources SourcesAndDestination(string name)
        {
            var destination = Arguments[^1];
            if (HeredocMarker().Match(destination) is { Success: true } m && m.Groups[3].Length > 0)
            {
                throw InstructionError.Create(DiagnosticCodes.HeredocNotAllowed, Range, Strings.HeredocNotAllowed, name);
            }

            var paths = new List<string>();
            var contents = new List<InlineSource>();
            foreach (var source in Arguments.Take(Arguments.Count - 1))
            {
                var marker = HeredocMarker().Match(source);
                var heredocName = marker.Success ? marker.Groups[3].Value.Replace("\"", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal) : "";
                var heredoc = heredocName.Length == 0 || Node.IsJsonForm ? null : Node.Heredocs.FirstOrDefault(h => h.Name == heredocName);
                if (heredoc is null)
                {
                    paths.Add(source);
                    continue;
                }

                var chomp = marker.Groups[2].Value == "-";
                var data = chomp ? LeadingTabs().Replace(heredoc.Content, "") : heredoc.Content;
                contents.Add(new InlineSource(heredoc.Name, data, heredoc.Expand));
            }

            return new CopySources(paths, contents, destination, Node.IsJsonForm);
        }

        public TimeSpan Interval(InstructionFlag flag)
        {
            if (flag.Value is not { Length: > 0 } text)
            {
                return TimeSpan.Zero;
            }

            if (!GoDuration.TryParse(text, out var duration))
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, Range, Strings.HealthcheckInvalidDuration, text);
            }

            if (duration != TimeSpan.Zero && duration < TimeSpan.FromMilliseconds(1))
            {
                throw InstructionError.Create(DiagnosticCodes.InvalidHealthcheck, Range, Strings.HealthcheckIntervalTooSmall, flag.Name);
            }

            return duration;
        }
    }

    [GeneratedRegex("(?m)^\t+", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingTabs();
}
