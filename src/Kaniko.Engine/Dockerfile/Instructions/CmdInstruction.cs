namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>CMD</c>: the default command of the image. Never expanded by the builder.</summary>
internal sealed record CmdInstruction : Instruction
{
    /// <summary>The command: one shell string (shell form) or the exec-form words; empty for <c>CMD []</c>.</summary>
    public required IReadOnlyList<string> CommandLine { get; init; }

    /// <summary>True for the shell form.</summary>
    public required bool PrependShell { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Cmd;

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [CommandText.Format(CommandLine, PrependShell)]);
}
