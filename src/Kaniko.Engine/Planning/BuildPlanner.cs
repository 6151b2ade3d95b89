using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Planning;

/// <summary>
/// Turns the typed instructions of a Dockerfile and a <see cref="PlanRequest"/> into a <see cref="BuildPlan"/>, with
/// BuildKit's rules (<c>dockerfile2llb/convert.go</c>): the global scope holds the automatic platform arguments and the
/// <c>ARG</c>s before the first <c>FROM</c>, overridden by build arguments; <c>FROM</c> is expanded with it; inside a
/// stage a global argument is visible only once re-declared with <c>ARG</c>; <c>ENV</c> values are visible to later
/// instructions and win over <c>ARG</c>s. Only the stages the target needs are planned.
/// </summary>
internal static class BuildPlanner
{
    /// <summary>Plans the build of <paramref name="dockerfile"/>. Throws <see cref="KanikoException"/> on an invalid Dockerfile or request.</summary>
    public static BuildPlan Plan(DockerfileInstructions dockerfile, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        ArgumentNullException.ThrowIfNull(request);
        var stages = dockerfile.Stages;
        if (stages.Count == 0)
        {
            throw new KanikoException(DiagnosticCodes.NoStages, Strings.NoStages, new SourceRange(dockerfile.FileName, 1, 1));
        }

        var warnings = new List<BuildWarning>(dockerfile.Warnings);
        var lexer = new ShellLexer(dockerfile.EscapeToken);
        var buildArgs = request.BuildArgs.GroupBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        var buildPlatform = request.BuildPlatform.Normalize();
        var targetPlatform = (request.TargetPlatform ?? request.BuildPlatform).Normalize();

        var (globalArgs, metaArgNames) = GlobalScope(dockerfile, buildPlatform, targetPlatform, TargetStageValue(request.Target, stages), buildArgs, lexer);
        var declaredInGlobalScope = new HashSet<string>(metaArgNames.Concat(globalArgs.Names), StringComparer.Ordinal);

        // FROM lines are expanded with the global scope only; a name matches an earlier stage exactly.
        var froms = new FromInstruction[stages.Count];
        var platforms = new Platform?[stages.Count];
        var baseStages = new int?[stages.Count];
        foreach (var stage in stages)
        {
            (froms[stage.Index], platforms[stage.Index]) = ExpandFrom(stage.From, globalArgs, declaredInGlobalScope, lexer, warnings);
            baseStages[stage.Index] = stages.Take(stage.Index).LastOrDefault(s => s.Name == froms[stage.Index].BaseName)?.Index;
        }

        // As in BuildKit, the FROM lines are checked before the target is looked up.
        var targetIndex = TargetResolver.Resolve(stages, request.Target);
        foreach (var duplicate in stages.Where(s => s.Name is not null).GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.DuplicateStageName,
                string.Format(CultureInfo.InvariantCulture, Strings.DuplicateStageName, duplicate.Key), duplicate.Last().From.Range));
        }

        // A stage built on an earlier stage runs that stage's ONBUILD triggers first.
        var steps = stages.Select(stage => (IReadOnlyList<(Instruction Instruction, bool IsTrigger)>)
            (baseStages[stage.Index] is { } b ? Triggers(stages[b], stage) : [])
            .Concat(stage.Instructions.Select(i => (i, false))).ToArray()).ToArray();
        var graph = StageGraph.Build(stages, baseStages, steps.Select(s => (IReadOnlyList<Instruction>)s.Select(x => x.Instruction).ToArray()).ToArray(), dockerfile.EscapeToken);
        var needed = TargetResolver.Needed(graph, targetIndex);

        var planned = new Dictionary<int, (StagePlan Plan, StageVariables Variables)>();
        var consumed = new HashSet<string>(metaArgNames, StringComparer.Ordinal);
        foreach (var index in needed)
        {
            var stage = stages[index];
            var variables = baseStages[index] is { } baseIndex ? new StageVariables(planned[baseIndex].Variables) : new StageVariables();
            var stepPlans = new List<StepPlan>();
            for (var i = 0; i < steps[index].Count; i++)
            {
                var (instruction, isTrigger) = steps[index][i];
                var sources = graph.StepSources[index][i];
                foreach (var source in sources.Where(s => s.StageIndex is { } d && d > index))
                {
                    var format = instruction is RunInstruction ? Strings.MountStageDefinedLater : Strings.StageDefinedLater;
                    throw new KanikoException(DiagnosticCodes.StageDefinedLater,
                        string.Format(CultureInfo.InvariantCulture, format, source.Reference, StageGraph.DisplayName(stage)), instruction.Range);
                }

                var expanded = Dispatch(instruction, variables, globalArgs, buildArgs, consumed, lexer);
                stepPlans.Add(new StepPlan(instruction, expanded, isTrigger,
                    variables.Args.Where(kv => !BuildArguments.ProxyNames.Contains(kv.Key)).ToArray(), sources));
            }

            var plan = new StagePlan(stage, StageGraph.DisplayName(stage), froms[index], baseStages[index], platforms[index],
                graph.DependenciesOf(index), stepPlans);
            planned[index] = (plan, variables);
        }

        var unused = buildArgs.Keys
            .Where(k => !consumed.Contains(k) && !BuildArguments.ProxyNames.Contains(k) && !BuildArguments.AutomaticNames.Contains(k))
            .Order(StringComparer.Ordinal).ToArray();
        if (unused.Length > 0)
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.UnusedBuildArgs,
                string.Format(CultureInfo.InvariantCulture, Strings.UnusedBuildArgs, string.Join(' ', unused))));
        }

        var skipped = stages.Where(s => !planned.ContainsKey(s.Index))
            .Select(s => new StagePlan(s, StageGraph.DisplayName(s), froms[s.Index], baseStages[s.Index], platforms[s.Index], graph.DependenciesOf(s.Index), []))
            .ToArray();
        return new BuildPlan(
            dockerfile.FileName,
            needed.Select(i => planned[i].Plan).ToArray(),
            skipped,
            globalArgs.Names.Select(n => new KeyValuePair<string, string>(n, Get(globalArgs, n))).ToArray(),
            buildArgs.Where(kv => BuildArguments.ProxyNames.Contains(kv.Key)).ToArray(),
            targetPlatform,
            buildPlatform,
            warnings)
        {
            EscapeToken = dockerfile.EscapeToken,
        };
    }

    private static (VariableMap Args, IReadOnlyList<string> MetaArgNames) GlobalScope(
        DockerfileInstructions dockerfile, Platform build, Platform target, string targetStage, Dictionary<string, string> buildArgs, ShellLexer lexer)
    {
        var automatic = new[]
        {
            // BuildKit formats BUILDPLATFORM without and TARGETPLATFORM with the OS version (platforms.Format/FormatAll).
            (build with { OsVersion = null }).ToString(), build.Os, build.OsVersion ?? "", build.Architecture, build.Variant ?? "",
            target.ToString(), target.Os, target.OsVersion ?? "", target.Architecture, target.Variant ?? "", targetStage,
        };
        var args = new VariableMap();
        for (var i = 0; i < automatic.Length; i++)
        {
            var name = BuildArguments.AutomaticNames[i];
            args.Set(name, buildArgs.TryGetValue(name, out var overridden) ? overridden : automatic[i]);
        }

        var names = new List<string>();
        foreach (var arg in dockerfile.MetaArgs)
        {
            foreach (var declaration in arg.Arguments)
            {
                string? value = buildArgs.TryGetValue(declaration.Name, out var given) ? given
                    : declaration.DefaultValue is { } d ? Expand(lexer, d, args, arg.Range).Value
                    : null;
                if (value is not null)
                {
                    args.Set(declaration.Name, value);
                }

                names.Add(declaration.Name);
            }
        }

        return (args, names);
    }

    // TARGETSTAGE: the --target as given, else the last stage's name, else "default" (BuildKit's defaultArgs).
    private static string TargetStageValue(string? target, IReadOnlyList<Stage> stages) =>
        !string.IsNullOrEmpty(target) ? target : stages[^1].Name ?? "default";

    private static (FromInstruction From, Platform? Platform) ExpandFrom(
        FromInstruction from, VariableMap globalArgs, HashSet<string> declared, ShellLexer lexer, List<BuildWarning> warnings)
    {
        var undeclared = new SortedSet<string>(StringComparer.Ordinal);
        string Expander(string word)
        {
            var result = Expand(lexer, word, globalArgs, from.Range);
            undeclared.UnionWith(result.Unmatched.Where(n => !declared.Contains(n)));
            return result.Value;
        }

        var expanded = from.Expand(Expander);
        foreach (var name in undeclared)
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.UndefinedArgInFrom,
                string.Format(CultureInfo.InvariantCulture, Strings.UndefinedArgInFrom, name), from.Range));
        }

        if (expanded.BaseName.Length == 0)
        {
            throw new KanikoException(DiagnosticCodes.BlankBaseName,
                string.Format(CultureInfo.InvariantCulture, Strings.BlankBaseName, from.BaseName), from.Range);
        }

        Platform? platform = null;
        if (expanded.Platform is { } platformText)
        {
            if (platformText.Length == 0)
            {
                throw new KanikoException(DiagnosticCodes.EmptyStagePlatform,
                    string.Format(CultureInfo.InvariantCulture, Strings.EmptyPlatform, from.Platform), from.Range);
            }

            try
            {
                platform = Platform.Parse(platformText).Normalize();
            }
            catch (KanikoException error)
            {
                throw error.WithRangeIfMissing(from.Range);
            }
        }

        return (expanded, platform);
    }

    private static IEnumerable<(Instruction, bool)> Triggers(Stage baseStage, Stage stage) =>
        baseStage.Instructions.OfType<OnbuildInstruction>()
            .Select(o => (o.Trigger with { Range = stage.From.Range }, true));

    private static Instruction Dispatch(
        Instruction instruction, StageVariables variables, VariableMap globalArgs, Dictionary<string, string> buildArgs, HashSet<string> consumed, ShellLexer lexer)
    {
        switch (instruction)
        {
            case ArgInstruction arg:
                var resolved = new List<ArgDeclaration>();
                foreach (var declaration in arg.Arguments)
                {
                    var value = StepExpansion.ResolveArg(declaration, buildArgs, globalArgs, variables, lexer, instruction.Range);
                    if (value is not null)
                    {
                        variables.SetArg(declaration.Name, value);
                    }

                    consumed.Add(declaration.Name);
                    resolved.Add(declaration with { DefaultValue = value });
                }

                return arg with { Arguments = resolved };
            case EnvInstruction env:
                var expandedEnv = (EnvInstruction)StepExpansion.Expand(env, variables, lexer);
                foreach (var variable in expandedEnv.Variables)
                {
                    variables.SetEnv(variable.Key, variable.Value);
                }

                return expandedEnv;
            default:
                // CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and MAINTAINER keep their text as written.
                return StepExpansion.Expand(instruction, variables, lexer);
        }
    }

    private static ExpansionResult Expand(ShellLexer lexer, string word, IVariableSource variables, SourceRange range)
    {
        try
        {
            return lexer.ProcessWord(word, variables);
        }
        catch (KanikoException error)
        {
            throw error.WithRangeIfMissing(range);
        }
    }

    private static string Get(VariableMap map, string name) => map.TryGetValue(name, out var value) ? value : "";
}
