using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// One typed Dockerfile instruction, as written: variables are not expanded yet. The planner expands the instructions
/// that Docker expands (see <see cref="IExpandable{T}"/>) once the variables in scope are known.
/// </summary>
internal abstract record Instruction
{
    /// <summary>The keyword as the Dockerfile spells it, for example <c>Copy</c>.</summary>
    public required string Keyword { get; init; }

    /// <summary>The lines of the Dockerfile this instruction comes from.</summary>
    public required SourceRange Range { get; init; }

    /// <summary>The logical line as written (continuations joined), without heredoc bodies.</summary>
    public required string Original { get; init; }

    /// <summary>The canonical upper-case name, for example <c>COPY</c> (one of <see cref="InstructionNames"/>).</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The instruction as one canonical line: upper-case keyword, the flags it was given, then its arguments.
    /// Used to show a plan and, later, in cache keys; after expansion it shows the expanded values.
    /// </summary>
    public abstract string Format();
}

/// <summary>The canonical names of the instructions this engine understands.</summary>
internal static class InstructionNames
{
    /// <summary><c>ADD</c></summary>
    public const string Add = "ADD";
    /// <summary><c>ARG</c></summary>
    public const string Arg = "ARG";
    /// <summary><c>CMD</c></summary>
    public const string Cmd = "CMD";
    /// <summary><c>COPY</c></summary>
    public const string Copy = "COPY";
    /// <summary><c>ENTRYPOINT</c></summary>
    public const string Entrypoint = "ENTRYPOINT";
    /// <summary><c>ENV</c></summary>
    public const string Env = "ENV";
    /// <summary><c>EXPOSE</c></summary>
    public const string Expose = "EXPOSE";
    /// <summary><c>FROM</c></summary>
    public const string From = "FROM";
    /// <summary><c>HEALTHCHECK</c></summary>
    public const string Healthcheck = "HEALTHCHECK";
    /// <summary><c>LABEL</c></summary>
    public const string Label = "LABEL";
    /// <summary><c>MAINTAINER</c></summary>
    public const string Maintainer = "MAINTAINER";
    /// <summary><c>ONBUILD</c></summary>
    public const string Onbuild = "ONBUILD";
    /// <summary><c>RUN</c></summary>
    public const string Run = "RUN";
    /// <summary><c>SHELL</c></summary>
    public const string Shell = "SHELL";
    /// <summary><c>STOPSIGNAL</c></summary>
    public const string Stopsignal = "STOPSIGNAL";
    /// <summary><c>USER</c></summary>
    public const string User = "USER";
    /// <summary><c>VOLUME</c></summary>
    public const string Volume = "VOLUME";
    /// <summary><c>WORKDIR</c></summary>
    public const string Workdir = "WORKDIR";
}

/// <summary>
/// Expands one word with the variables in scope: quotes removed, no word splitting. Throws a
/// <see cref="KanikoException"/> when the word cannot be expanded (for example <c>${X:?missing}</c>).
/// The planner supplies it, so this namespace never depends on the lexer (BuildKit's <c>SingleWordExpander</c>).
/// </summary>
internal delegate string WordExpander(string word);

/// <summary>Expands a string with the variables in scope and splits the result into words (used by <c>EXPOSE</c>).</summary>
internal delegate IReadOnlyList<string> WordListExpander(string words);

/// <summary>An instruction whose arguments Docker expands with the build's variables before it runs.</summary>
/// <typeparam name="T">The instruction type; expansion returns a copy, the original is unchanged.</typeparam>
internal interface IExpandable<out T>
    where T : Instruction
{
    /// <summary>Returns a copy of this instruction with every expandable value passed through <paramref name="expander"/>.</summary>
    T Expand(WordExpander expander);
}
