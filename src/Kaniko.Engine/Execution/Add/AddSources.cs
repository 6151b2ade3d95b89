using Kaniko.Engine.Fetching;

namespace Kaniko.Engine.Execution.Add;

/// <summary>What an ADD source names.</summary>
internal enum AddSourceKind
{
    /// <summary>A path in the build context (or a stage with <c>--from</c>).</summary>
    Local,

    /// <summary>An <c>http://</c> or <c>https://</c> URL to download.</summary>
    Http,

    /// <summary>A git repository to check out.</summary>
    Git,
}

/// <summary>How ADD reads its sources, in dockerfile2llb's order: git first, then URLs, else a local path.</summary>
internal static class AddSources
{
    /// <summary>What <paramref name="source"/> (an expanded ADD source word) names.</summary>
    public static AddSourceKind Classify(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (GitSourceReference.IsGitSource(source))
        {
            return AddSourceKind.Git;
        }

        return HttpSourceFetcher.IsHttpSource(source) ? AddSourceKind.Http : AddSourceKind.Local;
    }

    /// <summary>
    /// Whether a source of <paramref name="kind"/> that is a tar archive (see <see cref="ArchiveDetector"/>) is
    /// unpacked, given <c>--unpack</c> (null when absent): local archives by default, downloads only with
    /// <c>--unpack=true</c>, git checkouts never.
    /// </summary>
    public static bool ShouldUnpack(AddSourceKind kind, bool? unpack) => kind switch
    {
        AddSourceKind.Git => false,
        AddSourceKind.Http => unpack == true,
        _ => unpack ?? true,
    };
}
