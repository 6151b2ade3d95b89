namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>USER user[:group]</c>; expanded.</summary>
internal sealed record UserInstruction : Instruction, IExpandable<UserInstruction>
{
    /// <summary>The user, and optionally the group, as written.</summary>
    public required string User { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.User;

    /// <inheritdoc />
    public UserInstruction Expand(WordExpander expander) => this with { User = expander(User) };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [User]);
}
