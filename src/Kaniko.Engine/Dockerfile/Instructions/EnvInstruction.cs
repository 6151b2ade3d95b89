namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>One <c>key=value</c> of <c>ENV</c> or <c>LABEL</c>.</summary>
/// <param name="Key">The key, unexpanded until the instruction is expanded.</param>
/// <param name="Value">The value, unexpanded until the instruction is expanded.</param>
/// <param name="IsLegacyForm">True for the legacy <c>ENV key value</c> form without <c>=</c>.</param>
internal sealed record KeyValue(string Key, string Value, bool IsLegacyForm)
{
    internal KeyValue Expand(WordExpander expander) => this with { Key = expander(Key), Value = expander(Value) };

    internal string Format() => InstructionText.Word(Key) + "=" + InstructionText.Word(Value);
}

/// <summary><c>ENV key=value ...</c> (or the legacy <c>ENV key value</c>): sets environment variables; expanded.</summary>
internal sealed record EnvInstruction : Instruction, IExpandable<EnvInstruction>
{
    /// <summary>The variables, in order.</summary>
    public required IReadOnlyList<KeyValue> Variables { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Env;

    /// <inheritdoc />
    public EnvInstruction Expand(WordExpander expander) =>
        this with { Variables = Variables.Select(v => v.Expand(expander)).ToArray() };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], Variables.Select(v => v.Format()));
}

/// <summary><c>LABEL key=value ...</c>: sets image labels; expanded.</summary>
internal sealed record LabelInstruction : Instruction, IExpandable<LabelInstruction>
{
    /// <summary>The labels, in order.</summary>
    public required IReadOnlyList<KeyValue> Labels { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Label;

    /// <inheritdoc />
    public LabelInstruction Expand(WordExpander expander) =>
        this with { Labels = Labels.Select(v => v.Expand(expander)).ToArray() };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], Labels.Select(v => v.Format()));
}

/// <summary>One name of an <c>ARG</c>, with its default if it has one.</summary>
/// <param name="Name">The variable name (never expanded).</param>
/// <param name="DefaultValue">The default after <c>=</c>, unexpanded, or <c>null</c> when there is no <c>=</c>.</param>
internal sealed record ArgDeclaration(string Name, string? DefaultValue)
{
    internal string Format() => DefaultValue is null ? Name : Name + "=" + InstructionText.Word(DefaultValue);
}

/// <summary>
/// <c>ARG NAME[=default] ...</c>: declares build arguments. Before the first <c>FROM</c> it declares global (meta)
/// arguments; inside a stage it makes an argument visible there. The planner resolves the values.
/// </summary>
internal sealed record ArgInstruction : Instruction
{
    /// <summary>The declarations, in order.</summary>
    public required IReadOnlyList<ArgDeclaration> Arguments { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Arg;

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name, [], Arguments.Select(a => a.Format()));
}
