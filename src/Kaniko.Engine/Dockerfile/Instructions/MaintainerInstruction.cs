namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary><c>MAINTAINER name</c>: deprecated (a warning is raised); sets the image's author. Not expanded.</summary>
internal sealed record MaintainerInstruction : Instruction
{
    /// <summary>The maintainer text as written.</summary>
    public required string Maintainer { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Maintainer;

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], [Maintainer]);
}
