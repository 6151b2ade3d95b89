using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// A git repository named as a build context. Two spellings are read:
/// <list type="bullet">
/// <item>kaniko's <c>git://HOST/PATH[#REF[#COMMIT]]</c>: the repository is cloned with
/// <see cref="GitContextOptions.EffectivePullMethod"/> (<c>https</c> unless <c>GIT_PULL_METHOD</c> says otherwise),
/// <c>REF</c> is a branch, tag or full ref (<c>refs/heads/main</c>, <c>refs/pull/1/head</c>) and <c>COMMIT</c> the
/// full commit id to check out; <c>#REF:SUBDIR</c> (BuildKit's fragment) is read too.</item>
/// <item>BuildKit's forms: <c>ssh://…</c>, <c>user@host:path</c> and <c>http(s)://…</c> ending in <c>.git</c>,
/// with <c>#REF:SUBDIR</c> or <c>?ref=…&amp;subdir=…</c> (<see cref="GitSourceReference"/>).</item>
/// </list>
/// <c>--git branch=</c> replaces the ref; <c>--git recurse-submodules=</c> decides about submodules.
/// </summary>
/// <param name="Source">What the fetcher checks out (never a sub-directory: the context resolves it itself).</param>
/// <param name="Subdirectory">The folder of the checkout that is the context, or <c>null</c>.</param>
/// <param name="RevisionLabel">The ref or commit asked for, for messages; <c>null</c> for the remote's HEAD.</param>
internal sealed record GitContextReference(GitSourceReference Source, string? Subdirectory, string? RevisionLabel)
{
    private const string KanikoScheme = "git://";

    /// <summary>Whether <paramref name="contextArgument"/> names a git repository.</summary>
    public static bool IsGitContext(string contextArgument) =>
        contextArgument.StartsWith(KanikoScheme, StringComparison.OrdinalIgnoreCase) || GitSourceReference.IsGitSource(contextArgument);

    /// <summary>Reads a git context with the <c>--git</c> options.</summary>
    /// <exception cref="KanikoException"><c>KANIKO2038</c> when the URL is malformed.</exception>
    public static GitContextReference Parse(string contextArgument, GitContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(contextArgument);
        ArgumentNullException.ThrowIfNull(options);
        GitSourceReference source;
        string? commit = null;
        if (contextArgument.StartsWith(KanikoScheme, StringComparison.OrdinalIgnoreCase))
        {
            var parts = contextArgument[KanikoScheme.Length..].Split('#');
            if (parts[0].Length == 0 || parts.Length > 3)
            {
                throw Invalid(contextArgument, "expected git://HOST/PATH[#REF[#COMMIT]]");
            }

            var fragment = parts.Length > 1 ? parts[1] : null;
            commit = parts.Length > 2 ? parts[2] : null;
            if (commit is not null && !GitSourceReference.IsFullCommit(commit))
            {
                throw Invalid(contextArgument, "the commit must be a full commit id in lower-case hex");
            }

            // Parsed as a git:// URL (any path is a repository for kaniko, with or without .git), then cloned with the pull method.
            source = ParseSource(contextArgument, KanikoScheme + parts[0] + (fragment is null ? string.Empty : "#" + fragment)) with
            {
                Remote = options.EffectivePullMethod + "://" + parts[0],
            };
        }
        else
        {
            source = ParseSource(contextArgument, contextArgument);
        }

        var reference = options.Branch ?? source.Ref;
        var label = commit ?? reference;
        // A commit is fetched by its id (with the whole history when the server will not serve it shallowly), which
        // checks out what kaniko's clone of REF followed by a checkout of COMMIT gives.
        return new GitContextReference(
            source with { Ref = commit ?? reference, Subdirectory = null, Submodules = options.RecurseSubmodules },
            source.Subdirectory,
            label);
    }

    private static GitSourceReference ParseSource(string contextArgument, string url)
    {
        try
        {
            return GitSourceReference.Parse(url);
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.InvalidGitSource)
        {
            var prefix = string.Format(CultureInfo.InvariantCulture, Strings.InvalidGitSource, UrlRedaction.Redact(url), string.Empty);
            throw Invalid(contextArgument, e.Detail.StartsWith(prefix, StringComparison.Ordinal) ? e.Detail[prefix.Length..] : e.Detail);
        }
    }

    private static KanikoException Invalid(string contextArgument, string reason) => new(
        DiagnosticCodes.ContextGitUrlInvalid,
        string.Format(CultureInfo.InvariantCulture, Strings.ContextGitUrlInvalid, UrlRedaction.Redact(contextArgument), reason));
}
