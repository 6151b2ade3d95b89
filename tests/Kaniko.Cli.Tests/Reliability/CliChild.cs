using System.Diagnostics;
using System.Text;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// The built CLI as a running child process that a test can signal, watch and, when it hangs past a generous cap,
/// kill (a hang is then a failed assertion instead of a stuck test run).
/// </summary>
internal sealed class CliChild : IDisposable
{
    /// <summary>How long any run may take before it counts as a hang.</summary>
    public static readonly TimeSpan HangCap = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private CliChild(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet-kaniko.dll</c> with <paramref name="arguments"/>, behind <paramref name="wrapper"/> (a command and its arguments) when given.</summary>
    public static CliChild Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in wrapper?.Skip(1).Append(dotnet) ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var child = new CliChild(Process.Start(start)!);
        child._process.OutputDataReceived += (_, e) => Append(child._output, e.Data);
        child._process.ErrorDataReceived += (_, e) => Append(child._error, e.Data);
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Sends <paramref name="signal"/> (<c>INT</c>, <c>TERM</c>, <c>KILL</c>) to the CLI process.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The exit code, or null when the process did not end within <see cref="HangCap"/> (it is then killed).</summary>
    public async Task<int?> WaitAsync()
    {
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cap.CancelAfter(HangCap);
        try
        {
            await _process.WaitForExitAsync(cap.Token);
            _process.WaitForExit(); // drains the output events
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            return null;
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (true) or the process ends or <see cref="HangCap"/> passes (false).</summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + HangCap;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return condition();
    }

    /// <summary>Runs to the end and returns the exit code (null for a hang) with the output.</summary>
    public static async Task<(int? ExitCode, string Output, string Error)> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null)
    {
        using var child = Start(arguments, environment, wrapper);
        var exitCode = await child.WaitAsync();
        return (exitCode, child.Output, child.Error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
