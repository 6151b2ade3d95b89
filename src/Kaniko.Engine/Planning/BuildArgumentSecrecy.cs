using System.Globalization;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Planning;

/// <summary>
/// Keeps build-argument values out of what a build prints: errors raised while a step that reads one is planned or
/// applied have the values masked, as BuildKit masks secret environment values (<c>****</c>). Also BuildKit's
/// <c>SecretsUsedInArgOrEnv</c> check: an <c>ARG</c> or <c>ENV</c> whose name looks like it holds a secret.
/// </summary>
internal static partial class BuildArgumentSecrecy
{
    /// <summary>What a value is replaced with in an error message.</summary>
    public const string Mask = "****";

    /// <summary>The values to keep out of messages: every non-empty build-argument value, longest first.</summary>
    public static IReadOnlyList<string> ValuesOf(IEnumerable<KeyValuePair<string, string>> buildArgs)
    {
        ArgumentNullException.ThrowIfNull(buildArgs);
        return buildArgs.Select(kv => kv.Value).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length).ToArray();
    }

    /// <summary>
    /// <paramref name="error"/> with each of <paramref name="values"/> masked in its message. The inner exception is
    /// dropped when anything was masked, since its message may hold the value too.
    /// </summary>
    public static KanikoException MaskValues(KanikoException error, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(values);
        var detail = values.Aggregate(error.Detail, (text, value) => text.Replace(value, Mask, StringComparison.Ordinal));
        return detail == error.Detail ? error : new KanikoException(error.Code, detail, error.Range);
    }

    /// <summary>
    /// Adds BuildKit's <c>SecretsUsedInArgOrEnv</c> warning when <paramref name="name"/> has one of BuildKit's secret
    /// words (apikey, auth, credential(s), key, password, pword, passwd, secret, token) as one of its
    /// <c>_</c>-separated words (or the whole name), in any case, and none of its allowed words (public, file, version).
    /// </summary>
    internal static void CheckName(string instruction, string name, SourceRange range, ICollection<BuildWarning> warnings)
    {
        if (SecretWord().IsMatch(name) && !AllowedWord().IsMatch(name))
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.SecretsUsedInArgOrEnv,
                string.Format(CultureInfo.InvariantCulture, Strings.SecretsUsedInArgOrEnv, instruction, name), range));
        }
    }

    // BuildKit's getSecretsRegex (dockerfile2llb/validations.go): the word list and the (?:_|^)...(?:_|$) anchoring.
    [GeneratedRegex("(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretWord();

    [GeneratedRegex("(?:_|^)(?:public|file|version)(?:_|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AllowedWord();
}
