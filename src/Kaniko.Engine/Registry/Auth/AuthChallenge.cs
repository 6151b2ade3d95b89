using System.Text;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): a scheme and its parameters. Registries send
/// <c>Basic realm="..."</c> or <c>Bearer realm="...",service="...",scope="..."</c>, sometimes with <c>error</c>.
/// </summary>
internal sealed class AuthChallenge
{
    /// <summary>The Basic scheme (RFC 7617).</summary>
    public const string BasicScheme = "Basic";

    /// <summary>The Bearer scheme of the docker distribution token flow.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>Creates a challenge.</summary>
    public AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(parameters);
        Scheme = scheme;
        Parameters = new Dictionary<string, string>(parameters, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The scheme as sent (compare with <see cref="IsBasic"/> and <see cref="IsBearer"/>, which ignore case).</summary>
    public string Scheme { get; }

    /// <summary>The parameters by name; names are matched without regard to case, values are unquoted.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>True for the Basic scheme.</summary>
    public bool IsBasic => string.Equals(Scheme, BasicScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the Bearer scheme.</summary>
    public bool IsBearer => string.Equals(Scheme, BearerScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>realm</c>: for Bearer, the token server's URL.</summary>
    public string? Realm => Get("realm");

    /// <summary>The <c>service</c> to name in token requests.</summary>
    public string? Service => Get("service");

    /// <summary>The <c>scope</c> the registry says the request needs (space-separated scopes), if it says.</summary>
    public string? Scope => Get("scope");

    /// <summary>The <c>error</c> (for example <c>insufficient_scope</c> or <c>invalid_token</c>), if any.</summary>
    public string? Error => Get("error");

    /// <summary>Parses every challenge in the <c>WWW-Authenticate</c> values of a response.</summary>
    public static IReadOnlyList<AuthChallenge> FromResponse(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.TryGetValues("WWW-Authenticate", out var values) ? Parse(values) : [];
    }

    /// <summary>Parses several header values; each may hold several challenges.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var challenges = new List<AuthChallenge>();
        foreach (var value in headerValues)
        {
            challenges.AddRange(Parse(value));
        }

        return challenges;
    }

    /// <summary>
    /// Parses one header value. The parser is lenient, as registries are not always strict: unquoted values may
    /// hold characters outside RFC 7230's token set (such as <c>:</c> and <c>/</c>), an unterminated quoted string
    /// runs to the end, and a token68 credential is kept as a parameter with an empty value.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> Parse(string headerValue)
    {
        ArgumentNullException.ThrowIfNull(headerValue);
        var challenges = new List<AuthChallenge>();
        var reader = new Reader(headerValue);
        while (true)
        {
            reader.SkipSeparators();
            var scheme = reader.ReadToken();
            if (scheme.Length == 0)
            {
                if (reader.AtEnd)
                {
                    return challenges;
                }

                reader.SkipOne();
                continue;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            reader.SkipWhitespace();
            while (!reader.AtEnd && reader.Peek() != ',')
            {
                var mark = reader.Position;
                var name = reader.ReadToken();
                reader.SkipWhitespace();
                if (name.Length == 0 || reader.Peek() != '=')
                {
                    // Not "name=": the start of the next challenge (or garbage), handled by the outer loop.
                    reader.Position = mark;
                    break;
                }

                reader.SkipOne();
                reader.SkipWhitespace();
                if (reader.AtEnd || reader.Peek() is ',' or '=')
                {
                    // token68 ("abc==") rather than name=value.
                    while (reader.Peek() == '=')
                    {
                        reader.SkipOne();
                    }

                    parameters.TryAdd(name, "");
                }
                else
                {
                    parameters.TryAdd(name, reader.Peek() == '"' ? reader.ReadQuoted() : reader.ReadBareValue());
                }

                // A comma ends this parameter; what follows is another parameter or another challenge.
                reader.SkipWhitespace();
                if (reader.Peek() == ',')
                {
                    reader.SkipOne();
                    reader.SkipSeparators();
                }
            }

            challenges.Add(new AuthChallenge(scheme, parameters));
        }
    }

    /// <summary>The challenge in header form, with every value quoted.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Scheme);
        var first = true;
        foreach (var (name, value) in Parameters)
        {
            builder.Append(first ? " " : ",").Append(name).Append("=\"")
                .Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
            first = false;
        }

        return builder.ToString();
    }

    private string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    private sealed class Reader(string text)
    {
        public int Position { get; set; }

        public bool AtEnd => Position >= text.Length;

        public char Peek() => AtEnd ? '\0' : text[Position];

        public void SkipOne() => Position++;

        public void SkipWhitespace()
        {
            while (!AtEnd && text[Position] is ' ' or '\t')
            {
                Position++;
            }
        }

        public void SkipSeparators()
        {
            while (!AtEnd && text[Position] is ' ' or '\t' or ',')
            {
                Position++;
            }
        }

        public string ReadToken()
        {
            var start = Position;
            while (!AtEnd && IsTokenChar(text[Position]))
            {
                Position++;
            }

            return text[start..Position];
        }

        public string ReadBareValue()
        {
            var start = Position;
            while (!AtEnd && text[Position] is not (',' or ' ' or '\t'))
            {
                Position++;
            }

            return text[start..Position];
        }

        public string ReadQuoted()
        {
            var value = new StringBuilder();
            Position++; // opening quote
            while (!AtEnd)
            {
                var c = text[Position++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\' && !AtEnd)
                {
                    c = text[Position++];
                }

                value.Append(c);
            }

            return value.ToString();
        }

        private static bool IsTokenChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
    }
}
