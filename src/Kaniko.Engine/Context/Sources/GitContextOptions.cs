using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// kaniko's <c>--git</c> options for git contexts (<c>branch=NAME,single-branch=BOOL,recurse-submodules=BOOL,
/// insecure-skip-tls=BOOL</c>, comma separated, repeatable) and its <c>GIT_PULL_METHOD</c> setting.
/// </summary>
internal sealed record GitContextOptions
{
    /// <summary>The branch to check out (<c>branch=</c>); it replaces the URL's ref. <c>null</c> for the URL's ref or the remote's HEAD.</summary>
    public string? Branch { get; init; }

    /// <summary>
    /// kaniko's <c>single-branch=</c>. Only the checked-out revision is ever fetched (shallowly), so the content is
    /// the same either way; the option is accepted for kaniko's command lines.
    /// </summary>
    public bool SingleBranch { get; init; }

    /// <summary>Whether submodules are checked out too (<c>recurse-submodules=</c>, off by default as in kaniko).</summary>
    public bool RecurseSubmodules { get; init; }

    /// <summary>Whether TLS certificates of an <c>https://</c> remote are not checked (<c>insecure-skip-tls=</c>).</summary>
    public bool InsecureSkipTls { get; init; }

    /// <summary>
    /// The protocol a kaniko-style <c>git://HOST/PATH</c> context is cloned with (kaniko's <c>GIT_PULL_METHOD</c>):
    /// <c>https</c> (kaniko's default, used for <c>null</c> and unknown values), <c>http</c>, or <c>git</c> for the
    /// git protocol itself (an addition of this tool, for <c>git daemon</c> servers).
    /// </summary>
    public string? PullMethod { get; init; }

    /// <summary>
    /// The user name and password sent to an <c>http(s)</c> remote (kaniko's <c>GIT_USERNAME</c>/<c>GIT_PASSWORD</c>, or
    /// <c>GIT_TOKEN</c> as the user name), or <c>null</c> to leave credentials to git's own configuration.
    /// </summary>
    public GitCredential? Credential { get; init; }

    /// <summary>The scheme <c>git://</c> contexts are cloned with: <see cref="PullMethod"/> when known, else <c>https</c>.</summary>
    public string EffectivePullMethod => PullMethod?.ToLowerInvariant() is "http" or "git" ? PullMethod.ToLowerInvariant() : "https";

    /// <summary>
    /// Reads <c>--git</c> values with kaniko's environment variables: <c>GIT_PULL_METHOD</c>, and <c>GIT_USERNAME</c>
    /// with <c>GIT_PASSWORD</c>, or <c>GIT_TOKEN</c> (which wins, as the user name with an empty password).
    /// </summary>
    public static GitContextOptions FromEnvironment(IEnumerable<string> values, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var options = Parse(values, environment("GIT_PULL_METHOD"));
        var token = environment("GIT_TOKEN");
        var (user, password) = string.IsNullOrEmpty(token) ? (environment("GIT_USERNAME"), environment("GIT_PASSWORD")) : (token, null);
        return string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password)
            ? options
            : options with { Credential = new GitCredential(user ?? string.Empty, password ?? string.Empty) };
    }

    /// <summary>Reads <c>--git</c> values in order; a later key wins.</summary>
    /// <exception cref="KanikoException"><c>KANIKO2037</c> for an unknown key or a value that is not a boolean.</exception>
    public static GitContextOptions Parse(IEnumerable<string> values, string? pullMethod = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var options = new GitContextOptions { PullMethod = string.IsNullOrEmpty(pullMethod) ? null : pullMethod };
        foreach (var value in values)
        {
            foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw Invalid(pair, "expected KEY=VALUE");
                }

                var key = pair[..equals];
                var text = pair[(equals + 1)..];
                options = key switch
                {
                    "branch" => options with { Branch = text.Length == 0 ? null : text },
                    "single-branch" => options with { SingleBranch = ParseBool(pair, text) },
                    "recurse-submodules" => options with { RecurseSubmodules = ParseBool(pair, text) },
                    "insecure-skip-tls" => options with { InsecureSkipTls = ParseBool(pair, text) },
                    _ => throw Invalid(pair, "the keys are branch, single-branch, recurse-submodules and insecure-skip-tls"),
                };
            }
        }

        return options;
    }

    private static bool ParseBool(string pair, string text) => text.ToLowerInvariant() switch
    {
        "true" or "1" or "t" => true,
        "false" or "0" or "f" or "" => false,
        _ => throw Invalid(pair, "the value must be true or false"),
    };

    private static KanikoException Invalid(string pair, string reason) => new(
        DiagnosticCodes.ContextGitOptionInvalid,
        string.Format(CultureInfo.InvariantCulture, Strings.ContextGitOptionInvalid, pair, reason));
}
