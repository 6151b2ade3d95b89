namespace Kaniko.Testing;

/// <summary>Locates and runs the independent command-line tools the tests check our output with.</summary>
public static class ExternalTools
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The full path of <paramref name="name"/> (searched on PATH unless it is already a path), or null.</summary>
    public static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> and returns its exit code and output; in
    /// <paramref name="workingDirectory"/> when given, with <paramref name="environment"/> set over the test's own
    /// (a null value removes the variable).
    /// </summary>
    public static async Task<ToolResult> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using var process = System.Diagnostics.Process.Start(startInfo)
            ?? throw new InvalidOperationException("cannot start " + fileName);
        process.StandardInput.Close();
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Only the process this method started (and what it started) is stopped, by its own handle.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new TimeoutException($"{Describe(startInfo)} did not finish within {timeout ?? DefaultTimeout}");
        }

        return new ToolResult(Describe(startInfo), process.ExitCode, await standardOutput.ConfigureAwait(false), await standardError.ConfigureAwait(false));
    }

    /// <summary>Like <see cref="RunAsync"/>, but throws with the tool's error output when it exits non-zero.</summary>
    public static async Task<ToolResult> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(fileName, arguments, timeout, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{result.CommandLine} exited with {result.ExitCode}: {result.StandardError.Trim()}");
    }

    private static string Describe(System.Diagnostics.ProcessStartInfo startInfo) =>
        string.Join(' ', startInfo.ArgumentList.Prepend(startInfo.FileName));
}

/// <summary>The outcome of one external tool run.</summary>
/// <param name="CommandLine">The command as run, for messages.</param>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything the tool wrote to stdout.</param>
/// <param name="StandardError">Everything the tool wrote to stderr.</param>
public sealed record ToolResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError);
