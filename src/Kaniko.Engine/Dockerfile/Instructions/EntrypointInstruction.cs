namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>ENTRYPOINT</c>: the executable of the image. Never expanded by the builder.</summary>
internal sealed record EntrypointInstruction : Instruction
{
    /// <summary>The command: one shell string (shell form) or the exec-form words; empty clears the entrypoint.</summary>
    public required IReadOnlyList<string> CommandLine { get; init; }

    /// <summary>True for the shell form.</summary>
    public required bool PrependShell { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Entrypoint;

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [CommandText.Format(CommandLine, PrependShell)]);
}
