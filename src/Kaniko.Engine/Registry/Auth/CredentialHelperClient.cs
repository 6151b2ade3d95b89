using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Talks to a docker credential helper (<c>docker-credential-NAME</c> on <c>PATH</c>) with its protocol: the verb is
/// the only argument, the input comes on stdin, the answer on stdout. <c>get</c> takes the server URL and answers
/// <c>{"ServerURL","Username","Secret"}</c>; <c>store</c> takes that object; <c>erase</c> takes the server URL.
/// A helper that has nothing for a server prints "credentials not found in native keychain" and fails.
/// </summary>
internal sealed class CredentialHelperClient
{
    /// <summary>The user name a helper answers when <c>Secret</c> is an identity token rather than a password.</summary>
    public const string IdentityTokenUsername = "<token>";

    private const string NotFoundMessage = "credentials not found";
    private const int MaxQuotedOutput = 200;

    private readonly Func<string, string?> _getVariable;

    /// <summary>Creates a client for one helper.</summary>
    /// <param name="helperName">The helper's suffix, as written in the config file (<c>pass</c> runs <c>docker-credential-pass</c>).</param>
    /// <param name="configFile">The config file that named the helper, for messages.</param>
    /// <param name="timeout">How long one call may run before it is killed; 60 seconds when null.</param>
    /// <param name="getVariable">Reads an environment variable (for <c>PATH</c>); the process environment when null.</param>
    public CredentialHelperClient(string helperName, string configFile, TimeSpan? timeout = null, Func<string, string?>? getVariable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(helperName);
        HelperName = helperName;
        ConfigFile = configFile ?? throw new ArgumentNullException(nameof(configFile));
        Timeout = timeout ?? TimeSpan.FromSeconds(60);
        _getVariable = getVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The helper's suffix.</summary>
    public string HelperName { get; }

    /// <summary>The config file that named the helper.</summary>
    public string ConfigFile { get; }

    /// <summary>How long one call may run.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The executable's file name, <c>docker-credential-NAME</c>.</summary>
    public string ExecutableName => "docker-credential-" + HelperName;

    /// <summary>Asks the helper for the credential of a server; anonymous when the helper has none.</summary>
    /// <exception cref="KanikoException">The helper is missing, fails, or answers something that is not its JSON.</exception>
    public async Task<RegistryCredential> GetAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverUrl);
        var (exitCode, output) = await RunAsync("get", serverUrl, serverUrl, secret: null, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            if (output.Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase))
            {
                return RegistryCredential.Anonymous;
            }

            throw Failed(serverUrl, DescribeFailure(exitCode, output, secret: null));
        }

        string? username;
        string? secret;
        try
        {
            using var document = JsonDocument.Parse(output);
            username = document.RootElement.TryGetProperty("Username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            secret = document.RootElement.TryGetProperty("Secret", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Never quote the output: it may hold the secret in a form we failed to parse.
            throw Failed(serverUrl, "its answer to get is not the expected JSON object");
        }

        var source = $"{ExecutableName} (named in {ConfigFile})";
        if (string.IsNullOrEmpty(secret))
        {
            return RegistryCredential.Anonymous;
        }

        return username == IdentityTokenUsername
            ? RegistryCredential.FromIdentityToken(secret, username: null, source)
            : RegistryCredential.FromPassword(username ?? "", secret, source);
    }

    /// <summary>Stores a credential for a server in the helper.</summary>
    /// <param name="serverUrl">The server URL (the Docker Hub key for Docker Hub).</param>
    /// <param name="username">The user name, or <see cref="IdentityTokenUsername"/> when <paramref name="secret"/> is an identity token.</param>
    /// <param name="secret">The password or token.</param>
    /// <param name="cancellationToken">Cancels the helper.</param>
    public async Task StoreAsync(string serverUrl, string username, string secret, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverUrl);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(secret);
        var input = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["ServerURL"] = serverUrl,
            ["Username"] = username,
            ["Secret"] = secret,
        });
        var (exitCode, output) = await RunAsync("store", input, serverUrl, secret, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw Failed(serverUrl, DescribeFailure(exitCode, output, secret));
        }
    }

    /// <summary>Removes the credential of a server from the helper; succeeds when there was none.</summary>
    public async Task EraseAsync(string serverUrl, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverUrl);
        var (exitCode, output) = await RunAsync("erase", serverUrl, serverUrl, secret: null, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0 && !output.Contains(NotFoundMessage, StringComparison.OrdinalIgnoreCase))
        {
            throw Failed(serverUrl, DescribeFailure(exitCode, output, secret: null));
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string verb, string input, string serverUrl, string? secret, CancellationToken cancellationToken)
    {
        var executable = FindExecutable() ?? throw new KanikoException(DiagnosticCodes.CredentialHelperNotFound,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthCredentialHelperNotFound, HelperName, ConfigFile));
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(verb);

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw Failed(serverUrl, "it cannot be started: " + e.Message);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading its input; its exit code and output tell why.
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            return (process.ExitCode, process.ExitCode == 0 ? output : (output + "\n" + errors).Trim());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw Failed(serverUrl, string.Format(CultureInfo.InvariantCulture, "it did not answer {0} within {1} seconds", verb, Timeout.TotalSeconds));
        }
    }

    private string? FindExecutable()
    {
        foreach (var directory in (_getVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(directory, ExecutableName);
            if (OperatingSystem.IsWindows())
            {
                candidate += ".exe";
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            else if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    private static string DescribeFailure(int exitCode, string output, string? secret)
    {
        var text = output.ReplaceLineEndings(" ").Trim();
        if (!string.IsNullOrEmpty(secret))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        if (text.Length > MaxQuotedOutput)
        {
            text = text[..MaxQuotedOutput] + "...";
        }

        return text.Length == 0
            ? string.Format(CultureInfo.InvariantCulture, "exit code {0}", exitCode)
            : string.Format(CultureInfo.InvariantCulture, "exit code {0}: {1}", exitCode, text);
    }

    private KanikoException Failed(string serverUrl, string reason) =>
        new(DiagnosticCodes.CredentialHelperFailed,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthCredentialHelperFailed, HelperName, ConfigFile, serverUrl, reason));
}
