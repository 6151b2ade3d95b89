using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>A build stage: a <c>FROM</c> and the instructions up to the next <c>FROM</c>.</summary>
/// <param name="Index">The stage's position in the Dockerfile, from 0 (what <c>COPY --from=0</c> refers to).</param>
/// <param name="From">The <c>FROM</c> that starts the stage.</param>
/// <param name="Instructions">The instructions after it, in order.</param>
internal sealed record Stage(int Index, FromInstruction From, IReadOnlyList<Instruction> Instructions)
{
    /// <summary>The stage's name (lower-cased), or <c>null</c> when the <c>FROM</c> has no <c>AS</c>.</summary>
    public string? Name => From.StageName;
}

/// <summary>A Dockerfile read into typed instructions, grouped into stages.</summary>
/// <param name="FileName">The Dockerfile's name as the user gave it, for messages.</param>
/// <param name="EscapeToken">The escape character (<c>\</c> or a backtick from the <c>escape</c> directive).</param>
/// <param name="MetaArgs">The <c>ARG</c> instructions before the first <c>FROM</c> (the global scope).</param>
/// <param name="Stages">The stages, in file order.</param>
/// <param name="Warnings">Warnings from the parser and from reading the instructions.</param>
internal sealed record DockerfileInstructions(
    string FileName,
    char EscapeToken,
    IReadOnlyList<ArgInstruction> MetaArgs,
    IReadOnlyList<Stage> Stages,
    IReadOnlyList<BuildWarning> Warnings);
