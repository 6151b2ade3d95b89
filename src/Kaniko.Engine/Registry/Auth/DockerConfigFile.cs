using System.Globalization;
using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// The parts of docker's <c>config.json</c> that concern registry credentials: <c>auths</c> (inline credentials per
/// registry key), <c>credHelpers</c> (a credential helper per registry) and <c>credsStore</c> (the default helper).
/// Other members are ignored, as docker ignores what it does not know.
/// </summary>
internal sealed class DockerConfigFile
{
    /// <summary>The variable naming the folder that holds <c>config.json</c> (kaniko images set it to <c>/kaniko/.docker</c>).</summary>
    public const string ConfigDirectoryVariable = "DOCKER_CONFIG";

    /// <summary>The file name inside the config folder.</summary>
    public const string FileName = "config.json";

    private DockerConfigFile(string path, IReadOnlyDictionary<string, RegistryCredential> auths,
        IReadOnlyDictionary<string, string> credentialHelpers, string? credentialsStore)
    {
        Path = path;
        Auths = auths;
        CredentialHelpers = credentialHelpers;
        CredentialsStore = credentialsStore;
    }

    /// <summary>The file this was read from, as given; used in messages.</summary>
    public string Path { get; }

    /// <summary>The <c>auths</c> entries by their key as written (a host, or a URL such as the Docker Hub key).</summary>
    public IReadOnlyDictionary<string, RegistryCredential> Auths { get; }

    /// <summary>The <c>credHelpers</c> entries: registry key to helper suffix (<c>ecr-login</c> runs <c>docker-credential-ecr-login</c>).</summary>
    public IReadOnlyDictionary<string, string> CredentialHelpers { get; }

    /// <summary>The <c>credsStore</c> helper suffix used for every registry without its own helper, if any.</summary>
    public string? CredentialsStore { get; }

    /// <summary>
    /// Where docker looks for the file: <c>$DOCKER_CONFIG/config.json</c> when the variable is set, else
    /// <c>~/.docker/config.json</c>. The home folder is <c>HOME</c>, except on Windows, where docker takes
    /// <c>%USERPROFILE%</c> and ignores a <c>HOME</c> that Git Bash or Cygwin may have set.
    /// </summary>
    /// <param name="getVariable">Reads an environment variable; the process environment when null.</param>
    public static string DefaultPath(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var directory = getVariable(ConfigDirectoryVariable);
        if (string.IsNullOrEmpty(directory))
        {
            var home = getVariable(OperatingSystem.IsWindows() ? "USERPROFILE" : "HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            directory = System.IO.Path.Combine(home, ".docker");
        }

        return System.IO.Path.Combine(directory, FileName);
    }

    /// <summary>Reads and parses the file, or returns null when it does not exist.</summary>
    /// <exception cref="KanikoException">The file exists but cannot be read or parsed (<see cref="DiagnosticCodes.DockerConfigInvalid"/>).</exception>
    public static DockerConfigFile? Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, e.Message, e);
        }

        return Parse(content, path);
    }

    /// <summary>Parses the file's bytes.</summary>
    /// <param name="content">The file's content (UTF-8 JSON; a byte order mark is allowed).</param>
    /// <param name="path">The file's name, for messages.</param>
    /// <exception cref="KanikoException">The content is not a valid config file (<see cref="DiagnosticCodes.DockerConfigInvalid"/>).</exception>
    public static DockerConfigFile Parse(ReadOnlySpan<byte> content, string path)
    {
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var reader = new Utf8JsonReader(content, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        JsonDocument document;
        try
        {
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            // Our own wording with the position only: the parser's message may quote the offending text, which
            // could be part of a secret.
            throw new KanikoException(DiagnosticCodes.DockerConfigInvalid,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthDockerConfigMalformedJson, path,
                    (e.LineNumber ?? 0) + 1, (e.BytePositionInLine ?? 0) + 1), innerException: null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "the top level is not a JSON object");
            }

            var auths = new Dictionary<string, RegistryCredential>(StringComparer.Ordinal);
            if (TryGetObject(root, "auths", path, out var authsElement))
            {
                foreach (var entry in authsElement.EnumerateObject())
                {
                    auths[entry.Name] = ParseAuthEntry(entry, path);
                }
            }

            var helpers = new Dictionary<string, string>(StringComparer.Ordinal);
            if (TryGetObject(root, "credHelpers", path, out var helpersElement))
            {
                foreach (var entry in helpersElement.EnumerateObject())
                {
                    if (entry.Value.ValueKind != JsonValueKind.String)
                    {
                        throw Invalid(path, $"credHelpers entry \"{entry.Name}\" is not a string");
                    }

                    helpers[entry.Name] = entry.Value.GetString()!;
                }
            }

            string? store = null;
            if (root.TryGetProperty("credsStore", out var storeElement) && storeElement.ValueKind != JsonValueKind.Null)
            {
                if (storeElement.ValueKind != JsonValueKind.String)
                {
                    throw Invalid(path, "credsStore is not a string");
                }

                store = storeElement.GetString();
            }

            return new DockerConfigFile(path, auths, helpers, string.IsNullOrEmpty(store) ? null : store);
        }
    }

    private static bool TryGetObject(JsonElement root, string name, string path, out JsonElement element)
    {
        if (!root.TryGetProperty(name, out element) || element.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, name + " is not a JSON object");
        }

        return true;
    }

    private static RegistryCredential ParseAuthEntry(JsonProperty entry, string path)
    {
        if (entry.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"auths entry \"{entry.Name}\" is not a JSON object");
        }

        string? Field(string name)
        {
            if (!entry.Value.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            // Never quote the value: most fields of an auths entry are secrets.
            return value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw Invalid(path, $"auths entry \"{entry.Name}\" has a non-string \"{name}\"");
        }

        var username = Field("username");
        var password = Field("password");
        var auth = Field("auth");
        if (!string.IsNullOrEmpty(auth))
        {
            // As docker does, "auth" (base64 of user:password) wins over separate username/password fields.
            (username, password) = DecodeAuth(auth, entry.Name, path);
        }

        return new RegistryCredential
        {
            Username = NullIfEmpty(username),
            Password = NullIfEmpty(password),
            IdentityToken = NullIfEmpty(Field("identitytoken")),
            RegistryToken = NullIfEmpty(Field("registrytoken")),
            Source = path,
        };
    }

    private static (string Username, string Password) DecodeAuth(string auth, string key, string path)
    {
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(auth.Trim()));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw Invalid(path, $"auths entry \"{key}\" has an \"auth\" value that is not base64 of user:password");
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw Invalid(path, $"auths entry \"{key}\" has an \"auth\" value that is not base64 of user:password");
        }

        // docker trims NUL padding that some tools leave at the end of the password.
        return (decoded[..colon], decoded[(colon + 1)..].TrimEnd('\0'));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static KanikoException Invalid(string path, string reason, Exception? inner = null) =>
        new(DiagnosticCodes.DockerConfigInvalid,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthDockerConfigInvalid, path, reason), innerException: inner);
}
