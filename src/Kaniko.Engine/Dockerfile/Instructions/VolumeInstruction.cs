namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>VOLUME ["/a", "/b"]</c> or <c>VOLUME /a /b</c>; expanded.</summary>
internal sealed record VolumeInstruction : Instruction, IExpandable<VolumeInstruction>
{
    /// <summary>The volume paths, trimmed, never empty.</summary>
    public required IReadOnlyList<string> Volumes { get; init; }

    /// <summary>Whether the paths were written as a JSON array.</summary>
    public bool IsJsonForm { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Volume;

    /// <inheritdoc />
    public VolumeInstruction Expand(WordExpander expander) =>
        this with { Volumes = Volumes.Select(v => expander(v)).ToArray() };

    /// <inheritdoc />
    public override string Format() =>
        InstructionText.Line(Name, [], IsJsonForm ? [InstructionText.JsonArray(Volumes)] : Volumes.Select(InstructionText.Word));
}
