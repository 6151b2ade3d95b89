using Kaniko.Engine.Context.Sources;

namespace Kaniko.Engine;

/// <summary>
/// How git contexts are fetched (<c>--git branch=...,single-branch=...</c>, <c>GIT_PULL_METHOD</c>) and the
/// credentials for them (<c>GIT_USERNAME</c>/<c>GIT_PASSWORD</c> or <c>GIT_TOKEN</c>). Its text form never shows a
/// credential.
/// </summary>
public sealed class GitContextSettings
{
    private GitContextSettings(GitContextOptions options) => Options = options;

    /// <summary>The defaults: the remote's default branch, HTTPS, no credentials.</summary>
    public static GitContextSettings Default { get; } = new(new GitContextOptions());

    /// <summary>The branch or tag to check out (<c>--git branch=</c>), or <c>null</c> for the remote's default.</summary>
    public string? Branch => Options.Branch;

    /// <summary>Fetches only that branch (<c>--git single-branch=true</c>).</summary>
    public bool SingleBranch => Options.SingleBranch;

    /// <summary>Also fetches submodules (<c>--git recurse-submodules=true</c>).</summary>
    public bool RecurseSubmodules => Options.RecurseSubmodules;

    /// <summary>Does not verify the remote's TLS certificate (<c>--git insecure-skip-tls=true</c>).</summary>
    public bool InsecureSkipTls => Options.InsecureSkipTls;

    /// <summary>How a <c>git://</c> context is fetched: <c>https</c> (the default), <c>http</c> or <c>git</c> (<c>GIT_PULL_METHOD</c>).</summary>
    public string PullMethod => Options.EffectivePullMethod;

    internal GitContextOptions Options { get; }

    /// <summary>
    /// Reads <c>--git</c> values and kaniko's environment variables; <c>KANIKO2037</c> for a malformed value.
    /// </summary>
    /// <param name="values">The <c>--git</c> values, each <c>KEY=VALUE[,KEY=VALUE...]</c>.</param>
    /// <param name="environment">Looks up this process's environment variables.</param>
    public static GitContextSettings FromEnvironment(IEnumerable<string> values, Func<string, string?> environment) =>
        new(GitContextOptions.FromEnvironment(values, environment));

    /// <inheritdoc/>
    public override string ToString() => Options.ToString();
}
