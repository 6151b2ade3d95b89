using System.Text.RegularExpressions;

namespace Kaniko.Engine.Fetching;

/// <summary>Hides the credentials a URL may carry (<c>https://user:token@host/…</c>) before it reaches a message or a log.</summary>
internal static partial class UrlRedaction
{
    /// <summary>What replaces the user information of a URL.</summary>
    public const string Mask = "***";

    /// <summary>
    /// <paramref name="text"/> with the user information of every <c>scheme://user[:password]@</c> in it replaced by
    /// <see cref="Mask"/>; works on whole messages (git's error output quotes URLs).
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return UserInfo().Replace(text, "$1" + Mask + "@");
    }

    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'""]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();
}
