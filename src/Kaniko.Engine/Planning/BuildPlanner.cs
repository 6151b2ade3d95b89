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

        var sensitiveValues = BuildArgumentSecrecy.ValuesOf(buildArgs);
        var (globalArgs, metaArgNames, sensitiveGlobals) = GlobalScope(dockerfile, buildPlatform, targetPlatform, TargetStageValue(request.Target, stages), buildArgs, lexer);
        var scope = new ArgScope(globalArgs, sensitiveGlobals, buildArgs);
        var declaredInGlobalScope = new HashSet<string>(metaArgNames.Concat(globalArgs.Names), StringComparer.Ordinal);

        // FROM lines are expanded with the global scope only; a name matches an earlier stage whatever its case, as
        // BuildKit looks stages up by their lower-cased name (findStateByName).
        var froms = new FromInstruction[stages.Count];
        var platforms = new Platform?[stages.Count];
        var baseStages = new int?[stages.Count];
        foreach (var stage in stages)
        {
            (froms[stage.Index], platforms[stage.Index]) = ExpandFrom(stage.From, globalArgs, declaredInGlobalScope, lexer, warnings);
            baseStages[stage.Index] = stages.Take(stage.Index).LastOrDefault(s => s.Name == froms[stage.Index].BaseName.ToLowerInvariant())?.Index;
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

                var lookups = new SensitiveLookups(variables, variables.IsSensitive);
                Instruction expanded;
                string? redacted;
                try
                {
                    (expanded, redacted) = Dispatch(instruction, variables, lookups, scope, consumed, lexer, warnings);
                }
                catch (KanikoException error) when (lookups.Touched)
                {
                    throw BuildArgumentSecrecy.MaskValues(error, sensitiveValues);
                }

                stepPlans.Add(new StepPlan(instruction, expanded, isTrigger,
                    variables.Args.Where(kv => !BuildArguments.ProxyNames.Contains(kv.Key)).ToArray(), sources)
                {
                    RedactedText = redacted,
                });
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
            SensitiveValues = sensitiveValues,
        };
    }

    private static (VariableMap Args, IReadOnlyList<string> MetaArgNames, IReadOnlySet<string> Sensitive) GlobalScope(
        DockerfileInstructions dockerfile, Platform build, Platform target, string targetStage, Dictionary<string, string> buildArgs, ShellLexer lexer)
    {
        var automatic = new[]
        {
            // BuildKit formats BUILDPLATFORM without and TARGETPLATFORM with the OS version (platforms.Format/FormatAll).
            (build with { OsVersion = null }).ToString(), build.Os, build.OsVersion ?? "", build.Architecture, build.Variant ?? "",
            target.ToString(), target.Os, target.OsVersion ?? "", target.Architecture, target.Variant ?? "", targetStage,
        };
        var args = new VariableMap();
        var sensitive = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < automatic.Length; i++)
        {
            var name = BuildArguments.AutomaticNames[i];
            args.Set(name, buildArgs.TryGetValue(name, out var overridden) ? overridden : automatic[i]);
            if (buildArgs.ContainsKey(name))
            {
                sensitive.Add(name);
            }
        }

        var names = new List<string>();
        foreach (var arg in dockerfile.MetaArgs)
        {
            // As in a stage, the names are expanded before any declaration of the same ARG is set.
            var nameLookups = new SensitiveLookups(args, sensitive.Contains);
            var declarations = arg.Arguments.Select(written => StepExpansion.ExpandName(written, nameLookups, lexer, arg.Range)).ToArray();
            foreach (var declaration in declarations)
            {
                var lookups = new SensitiveLookups(args, sensitive.Contains);
                string? value = buildArgs.TryGetValue(declaration.Name, out var given) ? given
                    : declaration.DefaultValue is { } d ? Expand(lexer, d, lookups, arg.Range).Value
                    : null;
                if (value is not null)
                {
                    args.Set(declaration.Name, value);
                    if (buildArgs.ContainsKey(declaration.Name) || lookups.Touched)
                    {
                        sensitive.Add(declaration.Name);
                    }
                    else
                    {
                        sensitive.Remove(declaration.Name);
                    }
                }

                names.Add(declaration.Name);
            }
        }

        return (args, names, sensitive);
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

    // Expands and applies one step to the stage's variables; the second value is the line to print instead of the
    // expanded one when the step read a build argument's value (see StepPlan.RedactedText).
    private static (Instruction Expanded, string? Redacted) Dispatch(Instruction instruction, StageVariables variables,
        SensitiveLookups lookups, ArgScope scope, HashSet<string> consumed, ShellLexer lexer, List<BuildWarning> warnings)
    {
        switch (instruction)
        {
            case ArgInstruction arg:
                return DispatchArg(arg, variables, lookups, scope, consumed, lexer, warnings);
            case EnvInstruction env:
                // BuildKit expands every pair against the variables before the ENV, then sets them in order.
                var pairs = new List<(KeyValue Pair, bool Sensitive)>();
                foreach (var written in env.Variables)
                {
                    var pairLookups = lookups.Child();
                    var expandedPair = ((EnvInstruction)StepExpansion.Expand(env with { Variables = [written] }, pairLookups, lexer)).Variables[0];
                    pairs.Add((expandedPair, pairLookups.Touched));
                }

                foreach (var (pair, sensitive) in pairs)
                {
                    BuildArgumentSecrecy.CheckName(InstructionNames.Env, pair.Key, instruction.Range, warnings);
                    variables.SetEnv(pair.Key, pair.Value, sensitive);
                }

                return (env with { Variables = pairs.Select(p => p.Pair).ToArray() }, lookups.Touched ? instruction.Format() : null);
            default:
                // CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and MAINTAINER keep their text as written.
                var expanded = StepExpansion.Expand(instruction, lookups, lexer);
                return (expanded, lookups.Touched ? instruction.Format() : null);
        }
    }

    // BuildKit's dispatchArg, with the names expanded first (see StepExpansion.ExpandName). A declaration whose name or
    // value came from a build argument is printed by its name as written, without a value.
    private static (Instruction Expanded, string? Redacted) DispatchArg(ArgInstruction arg, StageVariables variables,
        SensitiveLookups lookups, ArgScope scope, HashSet<string> consumed, ShellLexer lexer, List<BuildWarning> warnings)
    {
        var resolved = new List<ArgDeclaration>();
        var shown = new List<string>();
        var hidden = false;
        // The names are expanded against the variables before the ARG (BuildKit expanded the whole command first);
        // each value then sees the declarations before it.
        var names = arg.Arguments.Select(written =>
        {
            var nameLookups = lookups.Child();
            return (Declaration: StepExpansion.ExpandName(written, nameLookups, lexer, arg.Range), nameLookups.Touched);
        }).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            var (written, (declaration, nameTouched)) = (arg.Arguments[i], names[i]);
            BuildArgumentSecrecy.CheckName(InstructionNames.Arg, declaration.Name, arg.Range, warnings);
            var valueLookups = lookups.Child();
            var value = StepExpansion.ResolveArg(declaration, scope.BuildArgs, scope.Globals, valueLookups, lexer, arg.Range);
            var sensitive = scope.BuildArgs.ContainsKey(declaration.Name)
                || (declaration.DefaultValue is not null ? valueLookups.Touched : scope.SensitiveGlobals.Contains(declaration.Name));
            if (value is not null)
            {
                variables.SetArg(declaration.Name, value, sensitive);
            }

            consumed.Add(declaration.Name);
            var result = declaration with { DefaultValue = value };
            resolved.Add(result);
            var hide = nameTouched || (value is not null && sensitive);
            hidden |= hide;
            shown.Add(hide ? written.Name : result.Format());
        }

        return (arg with { Arguments = resolved }, hidden ? InstructionText.Line(arg.Name, [], shown) : null);
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

    // The scope an ARG inside a stage resolves against: the global arguments (and which of them hold build-argument
    // values) and the build arguments given.
    private sealed record ArgScope(VariableMap Globals, IReadOnlySet<string> SensitiveGlobals, Dictionary<string, string> BuildArgs);
}
