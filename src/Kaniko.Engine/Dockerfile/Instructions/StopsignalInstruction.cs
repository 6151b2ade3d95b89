namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>STOPSIGNAL signal</c>; expanded, then checked by the planner.</summary>
internal sealed record StopsignalInstruction : Instruction, IExpandable<StopsignalInstruction>
{
    /// <summary>The signal as written, for example <c>SIGTERM</c> or <c>9</c>.</summary>
    public required string Signal { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Stopsignal;

    /// <inheritdoc />
    public StopsignalInstruction Expand(WordExpander expander) => this with { Signal = expander(Signal) };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [Signal]);
}
