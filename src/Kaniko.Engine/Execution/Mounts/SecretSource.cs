using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// Where the value of a build secret comes from (<c>--secret</c>): a file or an environment variable of this
/// process, read only when a <c>RUN --mount=type=secret</c> step needs it. The value itself is never held by the
/// request, so a logged request shows no secret.
/// </summary>
/// <param name="Id">The id steps name with <c>RUN --mount=type=secret,id=ID</c>.</param>
internal sealed record SecretSource(string Id)
{
    /// <summary>BuildKit's limit on a secret's size (its secrets provider refuses larger files).</summary>
    public const long MaxSize = 500 * 1024;

    /// <summary>The file holding the value, or <c>null</c>.</summary>
    public string? FilePath { get; init; }

    /// <summary>The environment variable holding the value, or <c>null</c>.</summary>
    public string? EnvironmentVariable { get; init; }

    /// <summary>
    /// Parses a <c>--secret</c> value with buildx's syntax: CSV fields <c>id=ID</c>, <c>src=</c>/<c>source=FILE</c>,
    /// <c>env=VARIABLE</c>, <c>type=file|env</c> (with <c>type=env</c>, <c>src</c> names the variable). With an id
    /// alone, the value is the environment variable of that name when it is set, else the file of that name
    /// (BuildKit's secrets store). A file must exist and hold at most 500 KiB.
    /// </summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="environment">Looks up this process's environment variables.</param>
    /// <exception cref="KanikoException"><c>KANIKO4600</c> for a malformed value, <c>KANIKO4601</c> for a file that cannot be used.</exception>
    public static SecretSource Parse(string spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        var fields = RunMount.SplitCsv(spec) ?? throw Invalid(spec, "a quote is not closed");
        string? id = null, source = null, type = null;
        foreach (var field in fields)
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw Invalid(spec, $"field '{field}' must be a key=value pair");
            }

            var value = field[(equals + 1)..];
            switch (field[..equals].ToLowerInvariant())
            {
                case "type" when value is "file" or "env":
                    type = value;
                    break;
                case "type":
                    throw Invalid(spec, $"unsupported secret type \"{value}\" (file or env)");
                case "id":
                    id = value;
                    break;
                case "source" or "src":
                    source = value;
                    break;
                case "env":
                    type = "env";
                    source = value;
                    break;
                default:
                    throw Invalid(spec, $"unexpected key '{field[..equals]}' in '{field}'");
            }
        }

        if (string.IsNullOrEmpty(id))
        {
            throw Invalid(spec, "secret missing ID");
        }

        var secret = new SecretSource(id);
        if (string.IsNullOrEmpty(source))
        {
            secret = type == "env" || (type is null && environment(id) is not null)
                ? secret with { EnvironmentVariable = id }
                : secret with { FilePath = id };
        }
        else
        {
            secret = type == "env" ? secret with { EnvironmentVariable = source } : secret with { FilePath = source };
        }

        if (secret.FilePath is { } file)
        {
            secret = secret with { FilePath = Path.GetFullPath(file) };
            CheckFile(id, secret.FilePath);
        }

        return secret;
    }

    /// <summary>Reads the value now: the file's bytes, or the variable's value (empty when unset, as BuildKit).</summary>
    /// <exception cref="KanikoException"><c>KANIKO4601</c> when the file cannot be read or has grown too large.</exception>
    public byte[] ReadValue()
    {
        if (FilePath is not { } file)
        {
            return System.Text.Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable(EnvironmentVariable ?? Id) ?? "");
        }

        CheckFile(Id, file);
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(Id, file, e.Message);
        }
    }

    private static void CheckFile(string id, string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            throw Unreadable(id, file, "no such file");
        }

        if (info.Length > MaxSize)
        {
            throw new KanikoException(DiagnosticCodes.SecretUnreadable, Format(Strings.SecretTooLarge, id));
        }
    }

    private static KanikoException Invalid(string spec, string reason) =>
        new(DiagnosticCodes.SecretSpecInvalid, Format(Strings.SecretSpecInvalid, spec, reason));

    private static KanikoException Unreadable(string id, string file, string reason) =>
        new(DiagnosticCodes.SecretUnreadable, Format(Strings.SecretUnreadable, id, file, reason));

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
