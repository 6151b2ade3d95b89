using System.Text;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// A user name and password for a git remote over HTTP(S). Its text form never shows them, so a request or its
/// options can be logged safely.
/// </summary>
internal sealed class GitCredential
{
    /// <summary>Creates the credential.</summary>
    public GitCredential(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
    }

    /// <summary>The user name (kaniko's <c>GIT_USERNAME</c>, or <c>GIT_TOKEN</c>).</summary>
    public string UserName { get; }

    /// <summary>The password (kaniko's <c>GIT_PASSWORD</c>); empty with a token.</summary>
    public string Password { get; }

    /// <summary>
    /// The git setting that sends this credential to the host of <paramref name="remote"/> only (an
    /// <c>http.&lt;URL&gt;.extraHeader</c> with HTTP basic authentication), or <c>null</c> when the remote is not
    /// an <c>http(s)</c> URL.
    /// </summary>
    public KeyValuePair<string, string>? HeaderSetting(string remote)
    {
        if (!Uri.TryCreate(remote, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return null;
        }

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(UserName + ":" + Password));
        return new("http." + uri.GetLeftPart(UriPartial.Authority) + "/.extraHeader", "Authorization: Basic " + basic);
    }

    /// <summary>A fixed text that shows nothing of the credential.</summary>
    public override string ToString() => "GitCredential { *** }";
}
