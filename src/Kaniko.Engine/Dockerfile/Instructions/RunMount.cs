using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>The kinds of <c>RUN --mount</c>.</summary>
internal enum RunMountType
{
    /// <summary><c>type=bind</c> (the default): a directory of the context or of another stage or image.</summary>
    Bind,
    /// <summary><c>type=cache</c>: a directory kept between builds.</summary>
    Cache,
    /// <summary><c>type=tmpfs</c>: an empty in-memory directory.</summary>
    Tmpfs,
    /// <summary><c>type=secret</c>: a secret file or environment variable.</summary>
    Secret,
    /// <summary><c>type=ssh</c>: a socket to an SSH agent.</summary>
    Ssh,
}

/// <summary>How concurrent builds share a cache mount.</summary>
internal enum CacheSharing
{
    /// <summary><c>sharing=shared</c> (the default): writers may run concurrently.</summary>
    Shared,
    /// <summary><c>sharing=private</c>: a new cache when the existing one is in use.</summary>
    Private,
    /// <summary><c>sharing=locked</c>: writers wait for each other.</summary>
    Locked,
}

/// <summary>
/// One <c>RUN --mount=...</c>, parsed as BuildKit does (<c>commands_runmount.go</c>): comma-separated
/// <c>key=value</c> fields in CSV syntax, keys case-insensitive, <c>type</c> defaulting to <c>bind</c>.
/// A parser, kept in one file on purpose: the mount, its CSV fields and the rules per mount type are one grammar.
/// </summary>
internal sealed record RunMount
{
    private static readonly string[] Keys =
    [
        "type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid", "src", "dst",
        "destination", "ro", "rw", "readwrite", "env",
    ];

    private static readonly Regex RamSize = new(@"^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$", RegexOptions.CultureInvariant);

    /// <summary>The mount type.</summary>
    public RunMountType Type { get; init; } = RunMountType.Bind;

    /// <summary><c>from=</c>: the stage or image to mount from (bind, cache), or <c>null</c>.</summary>
    public string? From { get; init; }

    /// <summary><c>source=</c>/<c>src=</c>: the path in <see cref="From"/>, or the secret's source.</summary>
    public string? Source { get; init; }

    /// <summary><c>target=</c>/<c>dst=</c>/<c>destination=</c>: where the mount appears.</summary>
    public string? Target { get; init; }

    /// <summary>Read-only: explicit <c>ro</c>/<c>rw</c>, else true except for cache and tmpfs mounts.</summary>
    public bool ReadOnly { get; init; }

    /// <summary><c>size=</c> of a tmpfs mount, in bytes.</summary>
    public long? SizeLimit { get; init; }

    /// <summary><c>id=</c>: the cache id, or the secret or SSH id.</summary>
    public string? Id { get; init; }

    /// <summary><c>sharing=</c> of a cache mount, or <c>null</c> when not given.</summary>
    public CacheSharing? Sharing { get; init; }

    /// <summary><c>required</c>: fail when the secret or SSH agent is not provided.</summary>
    public bool Required { get; init; }

    /// <summary><c>env=</c>: expose a secret as this environment variable.</summary>
    public string? Env { get; init; }

    /// <summary><c>mode=</c> (octal) for cache, secret and SSH mounts.</summary>
    public uint? Mode { get; init; }

    /// <summary><c>uid=</c> for cache, secret and SSH mounts.</summary>
    public uint? Uid { get; init; }

    /// <summary><c>gid=</c> for cache, secret and SSH mounts.</summary>
    public uint? Gid { get; init; }

    /// <summary>
    /// Parses one <c>--mount</c> value. With an <paramref name="expander"/>, each value is expanded first and every
    /// field is checked. Without one (when the instruction is first read), a value holding <c>$</c> is kept as text
    /// and checked only once it has been expanded, as BuildKit defers it; <c>from</c> may never hold a variable.
    /// </summary>
    public static RunMount Parse(string spec, WordExpander? expander, SourceRange? range)
    {
        KanikoException Error(string format, params object?[] args) =>
            InstructionError.Create(DiagnosticCodes.InvalidRunMount, range, format, args);
        KanikoException Suggest(string value, string[] options, string format, params object?[] args) =>
            InstructionError.WithSuggestion(DiagnosticCodes.InvalidRunMount, range, Suggestion.Find(value, options, caseSensitive: true), format, args);

        var fields = SplitCsv(spec) ?? throw Error(Strings.MountCsv, spec);
        var type = RunMountType.Bind;
        string? from = null, source = null, target = null, id = null, env = null;
        bool readOnly = false, readOnlyGiven = false, required = false;
        long? size = null;
        CacheSharing? sharing = null;
        uint? mode = null, uid = null, gid = null;

        foreach (var field in fields)
        {
            var equals = field.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? field : field[..equals]).ToLowerInvariant();
            if (equals < 0)
            {
                switch (key)
                {
                    case "readonly" or "ro":
                        (readOnly, readOnlyGiven) = (true, true);
                        continue;
                    case "readwrite" or "rw":
                        (readOnly, readOnlyGiven) = (false, true);
                        continue;
                    case "required" when type is RunMountType.Secret or RunMountType.Ssh:
                        required = true;
                        continue;
                    case "required":
                        throw Error(Strings.MountUnexpectedKeyForType, key, TypeName(type));
                    default:
                        throw Error(Strings.MountFieldNeedsValue, field);
                }
            }

            var value = field[(equals + 1)..];
            var deferred = false;
            if (expander is not null)
            {
                value = expander(value);
            }
            else if (value.Contains('$', StringComparison.Ordinal))
            {
                if (key == "from" && value.IndexOf('$', StringComparison.Ordinal) != value.Length - 1)
                {
                    throw Error(Strings.MountFromVariable);
                }

                deferred = true;
            }

            switch (key)
            {
                case "type":
                    if (!deferred)
                    {
                        type = ParseType(value) ?? throw Suggest(value, ["bind", "cache", "tmpfs", "secret", "ssh"], Strings.MountUnsupportedType, value);
                    }

                    break;
                case "from":
                    from = value;
                    break;
                case "source" or "src":
                    source = value;
                    break;
                case "target" or "dst" or "destination":
                    target = value;
                    break;
                case "readonly" or "ro":
                    readOnlyGiven = true;
                    if (!deferred)
                    {
                        readOnly = ParseBool(value) ?? throw Error(Strings.MountInvalidValue, key, value);
                    }

                    break;
                case "readwrite" or "rw":
                    readOnlyGiven = true;
                    if (!deferred)
                    {
                        readOnly = !(ParseBool(value) ?? throw Error(Strings.MountInvalidValue, key, value));
                    }

                    break;
                case "required":
                    if (type is not (RunMountType.Secret or RunMountType.Ssh))
                    {
                        throw Error(Strings.MountUnexpectedKeyForType, key, TypeName(type));
                    }

                    if (!deferred)
                    {
                        required = ParseBool(value) ?? throw Error(Strings.MountInvalidValue, key, value);
                    }

                    break;
                case "size":
                    if (type != RunMountType.Tmpfs)
                    {
                        throw Error(Strings.MountUnexpectedKeyForType, key, TypeName(type));
                    }

                    if (!deferred)
                    {
                        size = ParseRamSize(value) ?? throw Error(Strings.MountInvalidValue, key, value);
                    }

                    break;
                case "id":
                    id = value;
                    break;
                case "sharing":
                    if (!deferred)
                    {
                        sharing = value.ToLowerInvariant() switch
                        {
                            "shared" => CacheSharing.Shared,
                            "private" => CacheSharing.Private,
                            "locked" => CacheSharing.Locked,
                            _ => throw Suggest(value, ["shared", "private", "locked"], Strings.MountUnsupportedSharing, value),
                        };
                    }

                    break;
                case "mode":
                    if (!deferred)
                    {
                        mode = ParseUInt(value, 8) ?? throw Error(Strings.MountInvalidNumber, key, value);
                    }

                    break;
                case "uid":
                    if (!deferred)
                    {
                        uid = ParseUInt(value, 10) ?? throw Error(Strings.MountInvalidNumber, key, value);
                    }

                    break;
                case "gid":
                    if (!deferred)
                    {
                        gid = ParseUInt(value, 10) ?? throw Error(Strings.MountInvalidNumber, key, value);
                    }

                    break;
                case "env":
                    env = value;
                    break;
                default:
                    throw Suggest(key, Keys, Strings.MountUnexpectedKey, key, field);
            }
        }

        if (type is not (RunMountType.Secret or RunMountType.Ssh or RunMountType.Cache))
        {
            foreach (var (name, given) in new[] { ("mode", mode is not null), ("uid", uid is not null), ("gid", gid is not null) })
            {
                if (given)
                {
                    throw Error(Strings.MountFileInfoNotAllowed, name, TypeName(type));
                }
            }
        }

        if (!readOnlyGiven)
        {
            readOnly = type is not (RunMountType.Cache or RunMountType.Tmpfs);
        }

        if (type == RunMountType.Secret)
        {
            if (from is not null)
            {
                throw Error(Strings.MountSecretFrom);
            }

            if (sharing is not null)
            {
                throw Error(Strings.MountSecretSharing);
            }

            if (string.IsNullOrEmpty(source) && string.IsNullOrEmpty(target) && string.IsNullOrEmpty(id))
            {
                throw Error(Strings.MountSecretNoTarget);
            }

            if (!string.IsNullOrEmpty(source) && !string.IsNullOrEmpty(id))
            {
                throw Error(Strings.MountSecretSourceAndId);
            }
        }

        if (sharing is not null && type != RunMountType.Cache)
        {
            throw Error(Strings.MountSharingNotCache, TypeName(type));
        }

        return new RunMount
        {
            Type = type, From = from, Source = source, Target = target, ReadOnly = readOnly, SizeLimit = size, Id = id,
            Sharing = sharing, Required = required, Env = env, Mode = mode, Uid = uid, Gid = gid,
        };
    }

    /// <summary>The lower-case name BuildKit uses for a mount type, for example <c>cache</c>.</summary>
    public static string TypeName(RunMountType type) => type.ToString().ToLowerInvariant();

    /// <summary>The mount as one canonical <c>--mount</c> value, for example <c>type=cache,target=/root/.cache</c>.</summary>
    public string Format()
    {
        var fields = new List<string> { "type=" + TypeName(Type) };
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                fields.Add(key + "=" + value);
            }
        }

        Add("id", Id);
        Add("from", From);
        Add("source", Source);
        Add("target", Target);
        Add("sharing", Sharing?.ToString().ToLowerInvariant());
        Add("size", SizeLimit?.ToString(CultureInfo.InvariantCulture));
        Add("env", Env);
        Add("mode", Mode is { } m ? "0" + Convert.ToString(m, 8) : null);
        Add("uid", Uid?.ToString(CultureInfo.InvariantCulture));
        Add("gid", Gid?.ToString(CultureInfo.InvariantCulture));
        if (Required)
        {
            fields.Add("required");
        }

        if (ReadOnly != Type is not (RunMountType.Cache or RunMountType.Tmpfs))
        {
            fields.Add(ReadOnly ? "ro" : "rw");
        }

        return string.Join(',', fields.Select(QuoteCsv));
    }

    private static RunMountType? ParseType(string value) => value.ToLowerInvariant() switch
    {
        "bind" => RunMountType.Bind,
        "cache" => RunMountType.Cache,
        "tmpfs" => RunMountType.Tmpfs,
        "secret" => RunMountType.Secret,
        "ssh" => RunMountType.Ssh,
        _ => null,
    };

    // Go's strconv.ParseBool.
    private static bool? ParseBool(string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    private static uint? ParseUInt(string value, int radix)
    {
        if (value.Length == 0 || value.Any(c => !char.IsAsciiDigit(c) || c - '0' >= radix))
        {
            return null;
        }

        try
        {
            var parsed = Convert.ToUInt64(value, radix);
            return parsed <= uint.MaxValue ? (uint)parsed : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    // docker/go-units RAMInBytes: binary multipliers, optional "i" and "b".
    private static long? ParseRamSize(string value)
    {
        var match = RamSize.Match(value);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var power = match.Groups[3].Success ? "kmgtp".IndexOf(char.ToLowerInvariant(match.Groups[3].Value[0]), StringComparison.Ordinal) + 1 : 0;
        return (long)(number * Math.Pow(1024, power));
    }

    private static string QuoteCsv(string field) =>
        field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal)
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;

    /// <summary>
    /// A CSV record (RFC 4180 quoting), as BuildKit reads <c>--mount</c> values and buildx reads <c>--secret</c>;
    /// <c>null</c> when a quote is left open.
    /// </summary>
    internal static List<string>? SplitCsv(string text)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var i = 0;
        while (true)
        {
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return null;
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    current.Append(text[i++]);
                }

                if (i < text.Length && text[i] != ',')
                {
                    return null;
                }
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    if (text[i] == '"')
                    {
                        return null;
                    }

                    current.Append(text[i++]);
                }
            }

            fields.Add(current.ToString());
            current.Clear();
            if (i >= text.Length)
            {
                return fields;
            }

            i++;
        }
    }
}
