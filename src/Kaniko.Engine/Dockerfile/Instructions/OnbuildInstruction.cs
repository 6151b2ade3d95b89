namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// <c>ONBUILD instruction</c>: a trigger stored in the image and run by builds that start <c>FROM</c> it. Not expanded.
/// <c>ONBUILD ONBUILD</c>, <c>ONBUILD FROM</c> and <c>ONBUILD MAINTAINER</c> are rejected, as BuildKit does.
/// </summary>
internal sealed record OnbuildInstruction : Instruction
{
    /// <summary>The trigger's text as the image config stores it (the line after <c>ONBUILD</c>, with heredoc bodies).</summary>
    public required string Expression { get; init; }

    /// <summary>The trigger, parsed and checked like any instruction.</summary>
    public required Instruction Trigger { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Onbuild;

    /// <inheritdoc />
    public override string Format() => Name + " " + Trigger.Format();
}
