namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>FROM [--platform=P] image [AS name]</c>: starts a stage.</summary>
internal sealed record FromInstruction : Instruction, IExpandable<FromInstruction>
{
    /// <summary>The image or earlier stage the stage starts from, unexpanded (global ARGs apply).</summary>
    public required string BaseName { get; init; }

    /// <summary>The <c>--platform</c> value, unexpanded, or <c>null</c>.</summary>
    public string? Platform { get; init; }

    /// <summary>The stage name after <c>AS</c>, lower-cased (stage names are case-insensitive), or <c>null</c>.</summary>
    public string? StageName { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.From;

    /// <inheritdoc />
    public FromInstruction Expand(WordExpander expander) => this with
    {
        BaseName = expander(BaseName),
        Platform = Platform is null ? null : expander(Platform),
    };

    /// <inheritdoc />
    public override string Format() =>
        InstructionText.Line(Name, InstructionText.Flag("platform", Platform),
            StageName is null ? [BaseName] : [BaseName, "AS", StageName]);
}
