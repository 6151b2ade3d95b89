namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>WORKDIR path</c>; expanded. A relative path is relative to the previous working directory.</summary>
internal sealed record WorkdirInstruction : Instruction, IExpandable<WorkdirInstruction>
{
    /// <summary>The path as written.</summary>
    public required string Path { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Workdir;

    /// <inheritdoc />
    public WorkdirInstruction Expand(WordExpander expander) => this with { Path = expander(Path) };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [Path]);
}
