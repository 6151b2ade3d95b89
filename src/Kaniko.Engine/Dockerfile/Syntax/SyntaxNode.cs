using System.Text;
using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// One instruction as BuildKit's parser sees it: the keyword, the raw <c>--flags</c> and the argument values, not
/// yet validated or expanded. The argument shapes follow BuildKit's node chain: ENV and LABEL give (key, value,
/// <c>"="</c> or <c>""</c>) triples, ARG one value per word, HEALTHCHECK the type then the command, an unknown
/// instruction one empty value, and ONBUILD a <see cref="Nested"/> instruction.
/// </summary>
internal sealed class SyntaxNode
{
    private string? _name;

    /// <summary>The keyword as written, for example <c>Copy</c>; empty for a logical line with no text.</summary>
    public required string Keyword { get; init; }

    /// <summary>The keyword lower-cased, for example <c>copy</c>.</summary>
    public string Name => _name ??= GoText.ToLower(Keyword);

    /// <summary>The raw flags, such as <c>--from=build</c>, in order, quotes and escapes removed.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>The argument values in order (BuildKit's <c>Next</c> chain); empty for ONBUILD with a nested instruction.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The instruction that ONBUILD wraps, or <c>null</c>.</summary>
    public SyntaxNode? Nested { get; init; }

    /// <summary>True when the arguments were given as a JSON array (the exec form).</summary>
    public bool IsJsonForm { get; init; }

    /// <summary>The logical line, continuations joined, as BuildKit's <c>Node.Original</c>.</summary>
    public required string Original { get; init; }

    /// <summary>The physical line where the instruction starts, counted from 1.</summary>
    public int StartLine { get; init; }

    /// <summary>The last physical line the instruction uses: continuations, skipped lines and heredoc bodies included.</summary>
    public int EndLine { get; init; }

    /// <summary>The here-documents of this instruction, in order (for ONBUILD, those of the wrapped instruction).</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>BuildKit's one-line dump of this node, for example <c>copy ["--from=a"] "b" "c"</c>.</summary>
    public string Dump()
    {
        var builder = new StringBuilder();
        AppendDump(builder);
        return GoText.TrimSpace(builder.ToString());
    }

    /// <inheritdoc />
    public override string ToString() => Dump();

    internal bool CanContainHeredoc
    {
        get
        {
            // ONBUILD RUN <<EOF reads its body like RUN itself (BuildKit's "compound directives").
            var node = Name == "onbuild" && Nested is not null ? Nested : this;
            return node.Name is "run" or "copy" or "add" && !node.IsJsonForm;
        }
    }

    internal SyntaxNode Locate(int startLine, int endLine, IReadOnlyList<Heredoc> heredocs) => new()
    {
        Keyword = Keyword,
        Flags = Flags,
        Arguments = Arguments,
        Nested = Nested?.Locate(startLine, endLine, []),
        IsJsonForm = IsJsonForm,
        Original = Original,
        StartLine = startLine,
        EndLine = endLine,
        Heredocs = heredocs,
    };

    private void AppendDump(StringBuilder builder)
    {
        builder.Append(Name);
        if (Flags.Count > 0)
        {
            builder.Append(" [");
            for (var i = 0; i < Flags.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(' ');
                }

                GoQuote.Append(builder, Flags[i]);
            }

            builder.Append(']');
        }

        if (Nested is not null)
        {
            builder.Append(" (").Append(Nested.Dump()).Append(')');
        }

        foreach (var argument in Arguments)
        {
            builder.Append(' ');
            GoQuote.Append(builder, argument);
        }
    }
}
