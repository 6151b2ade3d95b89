namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>The network a <c>RUN</c> step sees (<c>--network</c>).</summary>
internal enum RunNetwork
{
    /// <summary><c>default</c>: the builder's default network.</summary>
    Default,
    /// <summary><c>none</c>: no network.</summary>
    None,
    /// <summary><c>host</c>: the host's network.</summary>
    Host,
}

/// <summary>The sandboxing of a <c>RUN</c> step (<c>--security</c>).</summary>
internal enum RunSecurity
{
    /// <summary><c>sandbox</c> (the default).</summary>
    Sandbox,
    /// <summary><c>insecure</c>: full privileges, where the builder allows them.</summary>
    Insecure,
}

/// <summary>A heredoc body given to a command (<c>RUN &lt;&lt;EOF</c>), as BuildKit's <c>ShellInlineFile</c>.</summary>
/// <param name="Name">The heredoc's name, for example <c>EOF</c>.</param>
/// <param name="Data">The body, un-chomped.</param>
/// <param name="Chomp">Whether leading tabs are removed (<c>&lt;&lt;-</c>).</param>
internal sealed record InlineFile(string Name, string Data, bool Chomp);

/// <summary>
/// <c>RUN [--mount=...] [--network=...] [--security=...] command</c>. The command text is never expanded by the
/// builder (the shell does it); only the <c>--mount</c> values are.
/// </summary>
internal sealed record RunInstruction : Instruction, IExpandable<RunInstruction>
{
    /// <summary>The command: one shell string (shell form) or the exec-form words.</summary>
    public required IReadOnlyList<string> CommandLine { get; init; }

    /// <summary>True for the shell form, which runs through the stage's <c>SHELL</c>.</summary>
    public required bool PrependShell { get; init; }

    /// <summary>Heredoc bodies that follow the instruction, in order.</summary>
    public IReadOnlyList<InlineFile> Heredocs { get; init; } = [];

    /// <summary>The raw <c>--mount</c> values, in order.</summary>
    public IReadOnlyList<string> MountSpecs { get; init; } = [];

    /// <summary>
    /// The mounts, parsed. Before <see cref="Expand"/> a value holding a variable is kept as text and not yet
    /// checked (BuildKit defers it to dispatch); after it, every value is expanded and checked.
    /// </summary>
    public IReadOnlyList<RunMount> Mounts { get; init; } = [];

    /// <summary>The <c>--network</c> mode.</summary>
    public RunNetwork Network { get; init; }

    /// <summary>Whether <c>--network</c> was given.</summary>
    public bool NetworkGiven { get; init; }

    /// <summary>The <c>--security</c> mode.</summary>
    public RunSecurity Security { get; init; }

    /// <summary>Whether <c>--security</c> was given.</summary>
    public bool SecurityGiven { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Run;

    /// <inheritdoc />
    public RunInstruction Expand(WordExpander expander) =>
        this with { Mounts = MountSpecs.Select(spec => RunMount.Parse(spec, expander, Range)).ToArray() };

    /// <inheritdoc />
    public override string Format()
    {
        var flags = Mounts.Select(m => "--mount=" + m.Format())
            .Concat(NetworkGiven ? ["--network=" + Network.ToString().ToLowerInvariant()] : [])
            .Concat(SecurityGiven ? ["--security=" + Security.ToString().ToLowerInvariant()] : []);
        return InstructionText.Line(Name, flags, [CommandText.Format(CommandLine, PrependShell)]);
    }
}

/// <summary>Shows a command line as written: the shell string, or the exec form as a JSON array.</summary>
internal static class CommandText
{
    internal static string Format(IReadOnlyList<string> commandLine, bool prependShell) =>
        prependShell ? string.Join(' ', commandLine) : InstructionText.JsonArray(commandLine);
}
