namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>A heredoc used as a file to copy (<c>COPY &lt;&lt;EOF /dest</c>).</summary>
/// <param name="Path">The file name the content gets (the heredoc's name).</param>
/// <param name="Data">The content, chomped already when the marker was <c>&lt;&lt;-</c>.</param>
/// <param name="Expand">Whether variables in the content are expanded (the marker was not quoted).</param>
internal sealed record InlineSource(string Path, string Data, bool Expand);

/// <summary>The sources and destination of <c>COPY</c> and <c>ADD</c>.</summary>
/// <param name="SourcePaths">Paths (or URLs for ADD) to copy, in order.</param>
/// <param name="SourceContents">Heredoc sources, in order.</param>
/// <param name="Destination">The destination path in the image.</param>
/// <param name="IsJsonForm">Whether the arguments were written as a JSON array.</param>
internal sealed record CopySources(IReadOnlyList<string> SourcePaths, IReadOnlyList<InlineSource> SourceContents, string Destination, bool IsJsonForm)
{
    internal CopySources Expand(WordExpander expander) => this with
    {
        SourcePaths = SourcePaths.Select(p => expander(p)).ToArray(),
        Destination = expander(Destination),
    };

    internal CopySources ExpandContents(WordExpander expander) => this with
    {
        SourceContents = SourceContents.Select(c => c.Expand ? c with { Data = expander(c.Data) } : c).ToArray(),
    };

    internal IEnumerable<string> Words()
    {
        var words = SourcePaths.Concat(SourceContents.Select(c => "<<" + c.Path)).Append(Destination).ToArray();
        return IsJsonForm ? [InstructionText.JsonArray(words)] : words.Select(InstructionText.Word);
    }
}

/// <summary>
/// What <c>COPY</c> and <c>ADD</c> share: sources and destination, and the flags both take. Both expand their sources,
/// destination, <c>--chown</c> and <c>--chmod</c>, and heredoc sources whose marker is not quoted.
/// </summary>
internal abstract record FileTransferInstruction : Instruction
{
    /// <summary>What to copy and where.</summary>
    public required CopySources Sources { get; init; }

    /// <summary><c>--chown</c>, or <c>null</c>.</summary>
    public string? Chown { get; init; }

    /// <summary><c>--chmod</c>, or <c>null</c>.</summary>
    public string? Chmod { get; init; }

    /// <summary><c>--link</c>.</summary>
    public bool Link { get; init; }

    /// <summary><c>--exclude</c> patterns, in order.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>
    /// This instruction with its heredoc sources that have an unquoted marker expanded (BuildKit's <c>ExpandRaw</c>:
    /// quotes in the content are kept, so the expander must not remove them).
    /// </summary>
    protected FileTransferInstruction WithInlineSourcesExpanded(WordExpander rawExpander) =>
        this with { Sources = Sources.ExpandContents(rawExpander) };

    /// <summary>This instruction with the words both instructions expand expanded.</summary>
    protected FileTransferInstruction WithSharedWordsExpanded(WordExpander expander) => this with
    {
        Chown = Chown is null ? null : expander(Chown),
        Chmod = Chmod is null ? null : expander(Chmod),
        Sources = Sources.Expand(expander),
    };
}

/// <summary>
/// <c>COPY [--from=] [--chown=] [--chmod=] [--link] [--parents] [--exclude=]... src... dest</c>.
/// Sources, destination, <c>--chown</c> and <c>--chmod</c> are expanded; <c>--from</c> is not (BuildKit refuses variables there).
/// </summary>
internal sealed record CopyInstruction : FileTransferInstruction, IExpandable<CopyInstruction>
{
    /// <summary><c>--from</c>: a stage name, stage index or image, or <c>null</c> for the build context.</summary>
    public string? From { get; init; }

    /// <summary><c>--parents</c>.</summary>
    public bool Parents { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Copy;

    /// <summary>A copy whose heredoc sources with an unquoted marker have their content expanded.</summary>
    public CopyInstruction ExpandInlineSources(WordExpander rawExpander) => (CopyInstruction)WithInlineSourcesExpanded(rawExpander);

    /// <inheritdoc />
    public CopyInstruction Expand(WordExpander expander) => (CopyInstruction)WithSharedWordsExpanded(expander);

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name,
        InstructionText.Flag("from", From)
            .Concat(InstructionText.Flag("chown", Chown))
            .Concat(InstructionText.Flag("chmod", Chmod))
            .Concat(InstructionText.Flag("link", Link ? true : null))
            .Concat(InstructionText.Flag("parents", Parents ? true : null))
            .Concat(Excludes.SelectMany(e => InstructionText.Flag("exclude", e))),
        Sources.Words());
}

/// <summary>
/// <c>ADD [--chown=] [--chmod=] [--link] [--checksum=] [--keep-git-dir] [--unpack] [--exclude=]... src... dest</c>.
/// Sources, destination, <c>--chown</c>, <c>--chmod</c> and <c>--checksum</c> are expanded.
/// </summary>
internal sealed record AddInstruction : FileTransferInstruction, IExpandable<AddInstruction>
{
    /// <summary><c>--checksum</c> of a remote source, or <c>null</c>.</summary>
    public string? Checksum { get; init; }

    /// <summary><c>--keep-git-dir</c>, or <c>null</c> when not given.</summary>
    public bool? KeepGitDir { get; init; }

    /// <summary><c>--unpack</c>, or <c>null</c> when not given (archives from the context are unpacked by default).</summary>
    public bool? Unpack { get; init; }

    /// <inheritdoc />
    public override string Name => InstructionNames.Add;

    /// <summary>A copy whose heredoc sources with an unquoted marker have their content expanded.</summary>
    public AddInstruction ExpandInlineSources(WordExpander rawExpander) => (AddInstruction)WithInlineSourcesExpanded(rawExpander);

    /// <inheritdoc />
    public AddInstruction Expand(WordExpander expander) =>
        (AddInstruction)WithSharedWordsExpanded(expander) with { Checksum = Checksum is null ? null : expander(Checksum) };

    /// <inheritdoc />
    public override string Format() => InstructionText.Line(Name,
        InstructionText.Flag("chown", Chown)
            .Concat(InstructionText.Flag("chmod", Chmod))
            .Concat(InstructionText.Flag("link", Link ? true : null))
            .Concat(InstructionText.Flag("checksum", Checksum))
            .Concat(InstructionText.Flag("keep-git-dir", KeepGitDir))
            .Concat(InstructionText.Flag("unpack", Unpack))
            .Concat(Excludes.SelectMany(e => InstructionText.Flag("exclude", e))),
        Sources.Words());
}
