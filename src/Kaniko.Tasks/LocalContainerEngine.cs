using System.Diagnostics;
using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Tasks;

/// <summary>
/// The local docker or podman that an image is loaded into when no registry is named, chosen as the .NET SDK
/// chooses: <c>LocalRegistry</c> (<c>Docker</c> or <c>Podman</c>) when set; otherwise <c>docker version</c> and
/// <c>podman version</c> are run side by side and the one that answers wins, docker when both do unless its
/// <c>docker info</c> shows it is podman under docker's name.
/// </summary>
internal sealed class LocalContainerEngine
{
    private LocalContainerEngine(string command) => Command = command;

    /// <summary><c>docker</c> or <c>podman</c>.</summary>
    public string Command { get; }

    /// <summary>Finds the engine; <c>KANIKO6020</c> when none answers, <c>KANIKO6022</c> for an unknown <paramref name="localRegistry"/>.</summary>
    internal static async Task<LocalContainerEngine> FindAsync(string? localRegistry, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(localRegistry))
        {
            var command = localRegistry.Trim().ToLowerInvariant() switch
            {
                "docker" => "docker",
                "podman" => "podman",
                _ => throw new KanikoException(DiagnosticCodes.MSBuildUnknownLocalRegistry, string.Format(
                    CultureInfo.InvariantCulture, Strings.MSBuildUnknownLocalRegistry, localRegistry)),
            };
            return await AnswersAsync(command, cancellationToken).ConfigureAwait(false)
                ? new LocalContainerEngine(command)
                : throw NoEngine($"LocalRegistry is {localRegistry.Trim()} but '{command} version' failed");
        }

        var docker = AnswersAsync("docker", cancellationToken);
        var podman = AnswersAsync("podman", cancellationToken);
        await Task.WhenAll(docker, podman).ConfigureAwait(false);
        if (docker.Result && podman.Result && await IsPodmanUnderDockersNameAsync(cancellationToken).ConfigureAwait(false))
        {
            return new LocalContainerEngine("podman");
        }

        return docker.Result ? new LocalContainerEngine("docker")
            : podman.Result ? new LocalContainerEngine("podman")
            : throw NoEngine("neither 'docker version' nor 'podman version' succeeded");
    }

    /// <summary>Loads the <c>docker save</c>-style archive at <paramref name="archivePath"/>; <c>KANIKO6021</c> when the engine refuses it.</summary>
    internal async Task LoadAsync(string archivePath, CancellationToken cancellationToken)
    {
        var (exitCode, _, error) = await RunAsync(Command, ["load", "-i", archivePath], cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new KanikoException(DiagnosticCodes.MSBuildLocalLoadFailed, string.Format(
                CultureInfo.InvariantCulture, Strings.MSBuildLocalLoadFailed, Command, exitCode, error.Trim()));
        }
    }

    private static async Task<bool> AnswersAsync(string command, CancellationToken cancellationToken)
    {
        try
        {
            return (await RunAsync(command, ["version"], cancellationToken).ConfigureAwait(false)).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not on PATH.
            return false;
        }
    }

    // Podman's `info` has host.buildahVersion and no DockerRootDir; docker's has DockerRootDir.
    private static async Task<bool> IsPodmanUnderDockersNameAsync(CancellationToken cancellationToken)
    {
        var (exitCode, output, _) = await RunAsync("docker", ["info", "--format", "{{json .}}"], cancellationToken).ConfigureAwait(false);
        return exitCode == 0 && !output.Contains("\"DockerRootDir\"", StringComparison.Ordinal) && output.Contains("\"buildahVersion\"", StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new System.ComponentModel.Win32Exception("cannot start " + command);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static KanikoException NoEngine(string why) =>
        new(DiagnosticCodes.MSBuildNoLocalContainerEngine, string.Format(CultureInfo.InvariantCulture, Strings.MSBuildNoLocalContainerEngine, why));
}
