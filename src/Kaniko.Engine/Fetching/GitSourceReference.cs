using System.Globalization;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// A git repository named as an ADD source, as BuildKit's <c>gitutil.ParseGitRef</c> reads it: <c>git://</c> and
/// <c>ssh://</c> URLs, <c>http(s)://</c> URLs whose path ends in <c>.git</c>, and scp-like <c>user@host:path</c>.
/// The revision and folder come from a <c>#ref:subdir</c> fragment or from the newer query form
/// <c>?ref=…&amp;subdir=…</c> (also <c>branch=</c>, <c>tag=</c>, <c>checksum=</c>/<c>commit=</c>,
/// <c>keep-git-dir=</c>, <c>submodules=</c>). <c>github.com/…</c> without a scheme is a local path for ADD, as in
/// dockerfile2llb.
/// </summary>
/// <param name="Remote">The URL git fetches from, without fragment or query.</param>
/// <param name="Ref">The branch, tag, ref or commit to check out; null for the remote's HEAD.</param>
/// <param name="Subdirectory">The folder of the checkout to add, or null for all of it.</param>
internal sealed partial record GitSourceReference(string Remote, string? Ref = null, string? Subdirectory = null)
{
    private static readonly string[] Schemes = ["http://", "https://", "git://", "ssh://"];

    /// <summary>The commit the content must be (query <c>checksum=</c> or <c>commit=</c>), or null.</summary>
    public string? ExpectedCommit { get; init; }

    /// <summary>The query's <c>keep-git-dir=</c>, or null when not given (then <c>--keep-git-dir</c> decides).</summary>
    public bool? KeepGitDir { get; init; }

    /// <summary>Whether submodules are checked out too (query <c>submodules=</c>; BuildKit's default is yes).</summary>
    public bool Submodules { get; init; } = true;

    /// <summary>Whether ADD treats <paramref name="source"/> as a git repository.</summary>
    public static bool IsGitSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (remote, _, _) = Split(source);
        if (Schemes.FirstOrDefault(s => remote.StartsWith(s, StringComparison.OrdinalIgnoreCase)) is { } scheme)
        {
            if (scheme is "http://" or "https://")
            {
                return Uri.TryCreate(remote, UriKind.Absolute, out var uri) && uri.AbsolutePath.EndsWith(".git", StringComparison.Ordinal);
            }

            return remote.Length > scheme.Length;
        }

        return ScpLike().IsMatch(remote);
    }

    /// <summary>Parses a git source; throws <c>KANIKO4222</c> when it is not one or its fragment or query is malformed.</summary>
    public static GitSourceReference Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!IsGitSource(source))
        {
            throw Invalid(source, "not a git repository URL");
        }

        var (remote, query, fragment) = Split(source);
        string? reference = null;
        string? subdirectory = null;
        if (fragment is not null)
        {
            var colon = fragment.IndexOf(':', StringComparison.Ordinal);
            reference = colon < 0 ? fragment : fragment[..colon];
            subdirectory = colon < 0 ? null : fragment[(colon + 1)..];
        }

        var result = new GitSourceReference(remote);
        if (query is not null)
        {
            if (fragment is not null)
            {
                throw Invalid(source, "a fragment and a query cannot be combined");
            }

            result = ApplyQuery(source, remote, query);
            reference = result.Ref;
            subdirectory = result.Subdirectory;
        }

        return result with
        {
            Ref = string.IsNullOrEmpty(reference) ? null : reference,
            Subdirectory = NormalizeSubdirectory(source, subdirectory),
        };
    }

    private static GitSourceReference ApplyQuery(string source, string remote, string query)
    {
        string? reference = null;
        string? subdirectory = null;
        string? commit = null;
        bool? keepGitDir = null;
        var submodules = true;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            switch (key)
            {
                case "ref":
                    reference = SetOnce(source, reference, value, key);
                    break;
                case "branch":
                    reference = SetOnce(source, reference, "refs/heads/" + value, key);
                    break;
                case "tag":
                    reference = SetOnce(source, reference, "refs/tags/" + value, key);
                    break;
                case "checksum" or "commit":
                    commit = SetOnce(source, commit, value, key);
                    break;
                case "subdir":
                    subdirectory = SetOnce(source, subdirectory, value, key);
                    break;
                case "keep-git-dir":
                    keepGitDir = ParseBool(source, key, value);
                    break;
                case "submodules":
                    submodules = ParseBool(source, key, value);
                    break;
                default:
                    throw Invalid(source, "unknown query parameter '" + key + "'");
            }
        }

        if (commit is not null && !IsFullCommit(commit) && !(commit.Length >= 7 && commit.All(char.IsAsciiHexDigitLower)))
        {
            throw Invalid(source, "checksum must be a commit id in lower-case hex");
        }

        return new GitSourceReference(remote, reference ?? (commit is not null && IsFullCommit(commit) ? commit : null), subdirectory)
        {
            ExpectedCommit = commit,
            KeepGitDir = keepGitDir,
            Submodules = submodules,
        };
    }

    /// <summary>Whether <paramref name="reference"/> is a full (sha1 or sha256) commit id.</summary>
    public static bool IsFullCommit(string? reference) =>
        reference is { Length: 40 or 64 } && reference.All(char.IsAsciiHexDigitLower);

    private static string SetOnce(string source, string? current, string value, string key) =>
        current is null ? value : throw Invalid(source, "the revision is given twice (at '" + key + "')");

    private static bool ParseBool(string source, string key, string value) => value.ToLowerInvariant() switch
    {
        "" or "1" or "true" => true,
        "0" or "false" => false,
        _ => throw Invalid(source, "'" + key + "' must be true or false"),
    };

    private static string? NormalizeSubdirectory(string source, string? subdirectory)
    {
        if (string.IsNullOrEmpty(subdirectory))
        {
            return null;
        }

        var segments = subdirectory.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
        {
            throw Invalid(source, "the subdirectory cannot contain '..'");
        }

        return segments.Length == 0 ? null : string.Join('/', segments);
    }

    private static (string Remote, string? Query, string? Fragment) Split(string source)
    {
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash < 0 ? null : source[(hash + 1)..];
        var rest = hash < 0 ? source : source[..hash];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (rest, null, fragment) : (rest[..question], rest[(question + 1)..], fragment);
    }

    private static KanikoException Invalid(string source, string reason) => new(
        DiagnosticCodes.InvalidGitSource,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidGitSource, UrlRedaction.Redact(source), reason));

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+@[A-Za-z0-9.-]+:.+$", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLike();
}
