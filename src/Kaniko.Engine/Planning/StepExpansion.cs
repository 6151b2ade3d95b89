using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Planning;

/// <summary>
/// Expands one instruction against the variables in scope, as BuildKit's <c>dispatch</c> does before it runs the
/// instruction. The planner uses it with the variables the Dockerfile defines; the executor uses it again with the
/// base image's environment added, which the planner cannot know.
/// </summary>
internal static class StepExpansion
{
    // Heredoc bodies are expanded by a lexer that keeps quotes, with the default escape character (BuildKit).
    private static readonly ShellLexer RawLexer = new('\\') { SkipQuoteProcessing = true };

    /// <summary>
    /// The instruction with the values Docker expands replaced; <c>CMD</c>, <c>ENTRYPOINT</c>, <c>SHELL</c>,
    /// <c>HEALTHCHECK</c>, <c>ONBUILD</c>, <c>MAINTAINER</c> and <c>ARG</c> (see <see cref="ResolveArg"/>) come back as they are.
    /// </summary>
    public static Instruction Expand(Instruction instruction, IVariableSource variables, ShellLexer lexer)
    {
        string Expander(string word) => ExpandWord(lexer, word, variables, instruction.Range);
        string RawExpander(string text) => ExpandWord(RawLexer, text, variables, instruction.Range);

        switch (instruction)
        {
            case EnvInstruction env:
                return env.Expand(Expander);
            case ExposeInstruction expose:
                return expose.Expand(words => ExpandWords(lexer, words, variables, instruction.Range));
            case StopsignalInstruction stopsignal:
                var expandedSignal = stopsignal.Expand(Expander);
                if (!StopSignals.IsValid(expandedSignal.Signal))
                {
                    throw new KanikoException(DiagnosticCodes.InvalidStopSignal,
                        string.Format(CultureInfo.InvariantCulture, Strings.InvalidStopSignal, expandedSignal.Signal), instruction.Range);
                }

                return expandedSignal;
            case CopyInstruction copy:
                return copy.Expand(Expander).ExpandInlineSources(RawExpander);
            case AddInstruction add:
                return add.Expand(Expander).ExpandInlineSources(RawExpander);
            case LabelInstruction label:
                return label.Expand(Expander);
            case UserInstruction user:
                return user.Expand(Expander);
            case WorkdirInstruction workdir:
                return workdir.Expand(Expander);
            case VolumeInstruction volume:
                return volume.Expand(Expander);
            case RunInstruction run:
                return run.Expand(Expander);
            default:
                return instruction;
        }
    }

    /// <summary>
    /// The declaration with its name expanded: BuildKit's <c>ArgCommand.Expand</c> covers the key as well as the value,
    /// so <c>ARG ${src}=x</c> declares the argument whose name <c>src</c> holds (as the classic builder, buildah and
    /// BuildKit up to Dockerfile frontend 1.7 do; the value is resolved afterwards by <see cref="ResolveArg"/>).
    /// A name that expands to nothing is an error, as a blank name is.
    /// </summary>
    public static ArgDeclaration ExpandName(ArgDeclaration declaration, IVariableSource variables, ShellLexer lexer, SourceRange range)
    {
        var name = ExpandWord(lexer, declaration.Name, variables, range);
        if (name.Length == 0)
        {
            throw new KanikoException(DiagnosticCodes.InvalidInstructionArguments,
                string.Format(CultureInfo.InvariantCulture, Strings.BlankNames, InstructionNames.Arg), range);
        }

        return name == declaration.Name ? declaration : declaration with { Name = name };
    }

    /// <summary>
    /// The value an <c>ARG</c> declaration takes in a stage (BuildKit's <c>dispatchArg</c>): the build argument if one
    /// was given, else its default expanded, else the global value, else <c>null</c> (unset).
    /// </summary>
    public static string? ResolveArg(ArgDeclaration declaration, IReadOnlyDictionary<string, string> buildArgs,
        IVariableSource globalArgs, IVariableSource variables, ShellLexer lexer, SourceRange range) =>
        buildArgs.TryGetValue(declaration.Name, out var given) ? given
        : declaration.DefaultValue is { } d ? ExpandWord(lexer, d, variables, range)
        : globalArgs.TryGetValue(declaration.Name, out var global) ? global
        : null;

    private static string ExpandWord(ShellLexer lexer, string word, IVariableSource variables, SourceRange range)
    {
        try
        {
            return lexer.ProcessWord(word, variables).Value;
        }
        catch (KanikoException error)
        {
            throw error.WithRangeIfMissing(range);
        }
    }

    private static IReadOnlyList<string> ExpandWords(ShellLexer lexer, string words, IVariableSource variables, SourceRange range)
    {
        try
        {
            return lexer.ProcessWords(words, variables);
        }
        catch (KanikoException error)
        {
            throw error.WithRangeIfMissing(range);
        }
    }
}
