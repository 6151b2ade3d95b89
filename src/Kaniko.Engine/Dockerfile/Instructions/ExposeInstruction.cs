namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>EXPOSE port[/protocol] ...</c>. Each word is expanded and may split into several ports.</summary>
internal sealed record ExposeInstruction : Instruction
{
    /// <summary>The port words, unexpanded, in the order written.</summary>
    public required IReadOnlyList<string> Ports { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Expose;

    /// <summary>Returns a copy whose ports are expanded and split into words (BuildKit's <c>ProcessWords</c>).</summary>
    public ExposeInstruction Expand(WordListExpander expander) =>
        this with { Ports = Ports.SelectMany(p => expander(p)).ToArray() };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], Ports.Select(InstructionText.Word));
}
