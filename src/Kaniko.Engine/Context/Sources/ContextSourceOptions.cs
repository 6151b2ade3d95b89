
namespace Kaniko.Engine.Context.Sources;

/// <summary>How <see cref="ContextMaterializer"/> turns a <c>--context</c> value into a local directory.</summary>
internal sealed record ContextSourceOptions
{
    /// <summary>A sub-directory of the context to use as its root (<c>--context-sub-path</c>), or <c>null</c>.</summary>
    public string? SubPath { get; init; }

    /// <summary>How git contexts are fetched (<c>--git</c>).</summary>
    public GitContextOptions Git { get; init; } = new();

    /// <summary>Stores asked first for any context with a scheme other than <c>dir://</c> and <c>tar://</c>.</summary>
    public IReadOnlyList<IRemoteContextSource> RemoteSources { get; init; } = [];

    /// <summary>Where scratch copies go; <c>null</c> for the system's temporary folder (<c>TMPDIR</c>).</summary>
    public string? ScratchRoot { get; init; }

    /// <summary>Opens the standard input for <c>tar://stdin</c> and <c>-</c>; <c>null</c> when there is none (<c>KANIKO2039</c>).</summary>
    public Func<Stream>? OpenStandardInput { get; init; }

    /// <summary>The client for <c>http(s)://</c> archives; <c>null</c> for a default one.</summary>
    public HttpClient? HttpClient { get; init; }
}
