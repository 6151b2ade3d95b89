using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// Reads the <c>--flag</c> words of one instruction with BuildKit's <c>BFlags</c> rules: a string flag needs
/// <c>--name=value</c>; a boolean flag is <c>--name</c> or <c>--name=true|false</c>; a string-array flag may repeat;
/// any other flag, or a repeated single flag, is an error. Declare the flags first, then call <see cref="Parse"/>.
/// </summary>
internal sealed class FlagParser
{
    private readonly IReadOnlyList<string> _words;
    private readonly SourceRange? _range;
    private readonly Dictionary<string, InstructionFlag> _flags = new(StringComparer.Ordinal);

    /// <summary>Creates a parser over the raw flag words of an instruction (each starts with <c>--</c>).</summary>
    /// <param name="words">The flags as the syntax tree holds them, for example <c>--from=build</c>.</param>
    /// <param name="range">Where the instruction is, for error messages.</param>
    public FlagParser(IReadOnlyList<string> words, SourceRange? range)
    {
        _words = words;
        _range = range;
    }

    /// <summary>Declares a boolean flag.</summary>
    public InstructionFlag AddBool(string name) => Add(name, FlagKind.Bool);

    /// <summary>Declares a string flag that may appear once.</summary>
    public InstructionFlag AddString(string name) => Add(name, FlagKind.String);

    /// <summary>Declares a string flag that may repeat; every value is kept, in order.</summary>
    public InstructionFlag AddStrings(string name) => Add(name, FlagKind.Strings);

    /// <summary>Reads the words and fills the declared flags. Throws <see cref="KanikoException"/> on the first bad word.</summary>
    public void Parse()
    {
        foreach (var word in _words)
        {
            if (word == "--")
            {
                // POSIX: "--" ends the options.
                return;
            }

            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                throw Error(Strings.FlagNotDashed, word);
            }

            var equals = word.IndexOf('=', StringComparison.Ordinal);
            var hasValue = equals >= 0;
            var flagName = hasValue ? word[..equals] : word;
            var value = hasValue ? word[(equals + 1)..] : "";
            if (!_flags.TryGetValue(flagName[2..], out var flag))
            {
                throw InstructionError.WithSuggestion(DiagnosticCodes.InvalidInstructionFlag, _range,
                    Suggestion.Find(flagName[2..], _flags.Keys, caseSensitive: true), Strings.FlagUnknown, flagName);
            }

            if (flag.IsUsed && flag.Kind != FlagKind.Strings)
            {
                throw Error(Strings.FlagDuplicate, flagName);
            }

            flag.IsUsed = true;
            switch (flag.Kind)
            {
                case FlagKind.Bool:
                    if (hasValue && value.Length == 0)
                    {
                        throw Error(Strings.FlagMissingValue, flagName);
                    }

                    flag.BoolValue = value.ToLowerInvariant() switch
                    {
                        "" or "true" => true,
                        "false" => false,
                        _ => throw Error(Strings.FlagNotBoolean, flagName, value),
                    };
                    break;
                case FlagKind.String:
                case FlagKind.Strings:
                    if (!hasValue)
                    {
                        throw Error(Strings.FlagMissingValue, flagName);
                    }

                    flag.AddValue(value);
                    break;
            }
        }
    }

    private InstructionFlag Add(string name, FlagKind kind)
    {
        var flag = new InstructionFlag(name, kind);
        _flags.Add(name, flag);
        return flag;
    }

    private KanikoException Error(string format, params object?[] args) =>
        InstructionError.Create(DiagnosticCodes.InvalidInstructionFlag, _range, format, args);
}

/// <summary>The kind of value a flag takes.</summary>
internal enum FlagKind
{
    /// <summary><c>--name</c> or <c>--name=true|false</c>.</summary>
    Bool,
    /// <summary><c>--name=value</c>, once.</summary>
    String,
    /// <summary><c>--name=value</c>, any number of times.</summary>
    Strings,
}

/// <summary>One declared flag and, after <see cref="FlagParser.Parse"/>, what the instruction gave it.</summary>
internal sealed class InstructionFlag
{
    private readonly List<string> _values = [];

    internal InstructionFlag(string name, FlagKind kind)
    {
        Name = name;
        Kind = kind;
    }

    /// <summary>The name without the leading dashes.</summary>
    public string Name { get; }

    /// <summary>The kind of value the flag takes.</summary>
    public FlagKind Kind { get; }

    /// <summary>Whether the instruction gave this flag.</summary>
    public bool IsUsed { get; internal set; }

    /// <summary>The value of a boolean flag (false when absent).</summary>
    public bool BoolValue { get; internal set; }

    /// <summary>The value of a string flag, or <c>null</c> when absent.</summary>
    public string? Value => _values.Count == 0 ? null : _values[^1];

    /// <summary>Every value of a string-array flag, in order.</summary>
    public IReadOnlyList<string> Values => _values;

    internal void AddValue(string value) => _values.Add(value);
}
