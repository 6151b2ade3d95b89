namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>SHELL ["executable", "parameters"]</c>: the shell for later shell-form commands (JSON form only).</summary>
internal sealed record ShellInstruction : Instruction
{
    /// <summary>The shell and its parameters, at least one word.</summary>
    public required IReadOnlyList<string> Shell { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Shell;

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [InstructionText.JsonArray(Shell)]);
}
