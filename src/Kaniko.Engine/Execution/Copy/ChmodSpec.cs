using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// The value of <c>COPY --chmod</c> / <c>ADD --chmod</c>: an octal mode (<c>755</c>, <c>0644</c>, up to <c>07777</c>)
/// that replaces the permission bits, or a symbolic mode in the syntax of BSD <c>chmod(1)</c> (<c>u+x</c>,
/// <c>go-w</c>, <c>a=r</c>, <c>a+X</c>, <c>go=u-w</c>) applied to each entry's own mode, as BuildKit does
/// with a file creation mask of 0. <c>+X</c> adds execute permission to directories and to files that already
/// had an execute bit for someone; as in BuildKit's parser, <c>X</c> after <c>-</c> or <c>=</c> is ignored.
/// </summary>
internal sealed class ChmodSpec
{
    private const int SetUid = 0x800;
    private const int SetGid = 0x400;
    private const int Sticky = 0x200;
    private const int UserBits = 0x1C0;
    private const int GroupBits = 0x38;
    private const int OtherBits = 0x7;
    private const int StandardBits = SetUid | SetGid | UserBits | GroupBits | OtherBits;
    private const int AllRead = 0x124;
    private const int AllWrite = 0x92;
    private const int AllExecute = 0x49;

    private readonly IReadOnlyList<Command> _commands;

    private ChmodSpec(string text, UnixFileMode? octal, IReadOnlyList<Command> commands)
    {
        Text = text;
        OctalMode = octal;
        _commands = commands;
    }

    /// <summary>The value as written.</summary>
    public string Text { get; }

    /// <summary>The mode of an octal value, or <c>null</c> for a symbolic one.</summary>
    public UnixFileMode? OctalMode { get; }

    /// <summary>Whether the value is octal (it then also applies to the directories a copy creates).</summary>
    public bool IsOctal => OctalMode is not null;

    /// <summary>Parses a <c>--chmod</c> value with BuildKit's rules and messages.</summary>
    /// <exception cref="KanikoException">The value is neither a valid octal mode up to 07777 nor a valid symbolic mode
    /// (<see cref="DiagnosticCodes.InvalidChmod"/>).</exception>
    public static ChmodSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // BuildKit first reads the value as an unsigned octal number; only when that fails is it a symbolic mode,
        // and a value that starts like a number keeps the octal message.
        if (TryParseOctal(text, out var octal))
        {
            return octal <= 0xFFF ? new ChmodSpec(text, (UnixFileMode)octal, []) : throw NotOctal(text);
        }

        if (text.Length > 0 && char.IsAsciiDigit(text[0]))
        {
            throw NotOctal(text);
        }

        var commands = ParseSymbolic(text) ?? throw new KanikoException(
            DiagnosticCodes.InvalidChmod,
            string.Format(CultureInfo.InvariantCulture, Strings.ChmodInvalidSyntax, text));
        return new ChmodSpec(text, null, commands);
    }

    /// <summary>
    /// The mode an entry gets: the octal value with its special bits, or the symbolic changes applied to
    /// <paramref name="mode"/> (the entry's own mode). Symbolic links are never changed by the caller.
    /// </summary>
    public UnixFileMode Apply(UnixFileMode mode, bool isDirectory)
    {
        if (OctalMode is { } octal)
        {
            return octal;
        }

        var original = (int)mode & 0xFFF;
        var current = original;
        foreach (var command in _commands)
        {
            current = command.Apply(current, original, isDirectory);
        }

        return (UnixFileMode)current;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool TryParseOctal(string text, out ulong value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '7' || value > uint.MaxValue >> 3)
            {
                return false;
            }

            value = (value << 3) | (uint)(c - '0');
        }

        return value <= uint.MaxValue;
    }

    private static KanikoException NotOctal(string text) => new(
        DiagnosticCodes.InvalidChmod,
        string.Format(CultureInfo.InvariantCulture, Strings.ChmodNotOctal, text));

    // The grammar of setmode(3): clauses separated by commas, each [ugoa]* then one or more [+-=] actions, each
    // action followed by permission letters [rwxXst] or one class letter to copy [ugo].
    private static List<Command>? ParseSymbolic(string text)
    {
        var commands = new List<Command>();
        var i = 0;
        while (true)
        {
            var who = 0;
            while (i < text.Length && text[i] is 'a' or 'u' or 'g' or 'o')
            {
                who |= text[i] switch
                {
                    'a' => StandardBits,
                    'u' => SetUid | UserBits,
                    'g' => SetGid | GroupBits,
                    _ => OtherBits,
                };
                i++;
            }

            if (i >= text.Length || text[i] is not ('+' or '-' or '='))
            {
                return null;
            }

            while (i < text.Length && text[i] is '+' or '-' or '=')
            {
                var op = text[i++];
                var perm = 0;
                var executeIfAny = false;
                var copied = false;
                var clauseWho = who;
                for (; i < text.Length; i++)
                {
                    var c = text[i];
                    if (c == 'r')
                    {
                        perm |= AllRead;
                    }
                    else if (c == 'w')
                    {
                        perm |= AllWrite;
                    }
                    else if (c == 'x')
                    {
                        perm |= AllExecute;
                    }
                    else if (c == 'X')
                    {
                        // dchapes-mode, BuildKit's parser, honours X only after '+': "u=rwX" sets rw and ignores X.
                        executeIfAny |= op == '+';
                    }
                    else if (c == 's')
                    {
                        // Set-id bits mean nothing for "other" alone.
                        if (who == 0 || (who & ~OtherBits) != 0)
                        {
                            perm |= SetUid | SetGid;
                        }
                    }
                    else if (c == 't')
                    {
                        if (who == 0 || (who & ~OtherBits) != 0)
                        {
                            clauseWho |= Sticky;
                            perm |= Sticky;
                        }
                    }
                    else if (c is 'u' or 'g' or 'o')
                    {
                        if (perm != 0)
                        {
                            commands.Add(Command.Bits(op, clauseWho, perm));
                            perm = 0;
                        }

                        copied |= op == '=';
                        commands.Add(Command.Copy(c, op, who));
                    }
                    else
                    {
                        break;
                    }
                }

                // "u=" with no letters still clears the class.
                if (perm != 0 || (op == '=' && !copied))
                {
                    commands.Add(Command.Bits(op, clauseWho, perm));
                }

                if (executeIfAny)
                {
                    commands.Add(new Command('X', (who == 0 ? StandardBits | Sticky : clauseWho) & AllExecute, 0, '\0'));
                }
            }

            if (i == text.Length)
            {
                return commands;
            }

            if (text[i] != ',')
            {
                return null;
            }

            i++;
        }
    }

    // One step of the change. Kind: '+' sets Mask, '-' clears Mask, 'X' sets Mask when the entry is a directory or
    // had an execute bit, 'u'/'g'/'o' copy that class's current bits onto the target classes in Targets.
    private readonly record struct Command(char Kind, int Mask, int Targets, char CopyOp)
    {
        public static Command Bits(char op, int who, int perm) => op switch
        {
            '+' => new Command('+', (who == 0 ? StandardBits | Sticky : who) & perm, 0, '\0'),
            '-' => new Command('-', (who == 0 ? StandardBits | Sticky : who) & perm, 0, '\0'),
            _ => new Command('=', who == 0 ? StandardBits : who, (who == 0 ? StandardBits | Sticky : who) & perm, '\0'),
        };

        public static Command Copy(char source, char op, int who) =>
            new(source, 0, who == 0 ? UserBits | GroupBits | OtherBits : who & (UserBits | GroupBits | OtherBits), op);

        public int Apply(int mode, int original, bool isDirectory)
        {
            switch (Kind)
            {
                case '+':
                    return mode | Mask;
                case '-':
                    return mode & ~Mask;
                case '=':
                    // Mask holds the bits cleared, Targets the bits then set.
                    return (mode & ~Mask) | Targets;
                case 'X':
                    return (original & AllExecute) != 0 || isDirectory ? mode | Mask : mode;
                default:
                    var value = Kind switch
                    {
                        'u' => (mode & UserBits) >> 6,
                        'g' => (mode & GroupBits) >> 3,
                        _ => mode & OtherBits,
                    };
                    var clear = CopyOp == '=' ? 7 : CopyOp == '-' ? value : 0;
                    var set = CopyOp is '=' or '+' ? value : 0;
                    foreach (var (classBits, shift) in new[] { (UserBits, 6), (GroupBits, 3), (OtherBits, 0) })
                    {
                        if ((Targets & classBits) != 0)
                        {
                            mode = (mode & ~(clear << shift)) | (set << shift);
                        }
                    }

                    return mode;
            }
        }
    }
}
