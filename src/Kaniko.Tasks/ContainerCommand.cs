using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Tasks;

/// <summary>The .NET SDK's items that say how the container starts, as the project set them.</summary>
internal sealed record ContainerCommandItems
{
    /// <summary><c>ContainerEntrypoint</c>.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    /// <summary><c>ContainerEntrypointArgs</c>.</summary>
    public IReadOnlyList<string> EntrypointArgs { get; init; } = [];

    /// <summary><c>ContainerDefaultArgs</c>.</summary>
    public IReadOnlyList<string> DefaultArgs { get; init; } = [];

    /// <summary><c>ContainerAppCommand</c>: the targets fill in the .NET SDK's default (<c>dotnet app.dll</c> or the apphost).</summary>
    public IReadOnlyList<string> AppCommand { get; init; } = [];

    /// <summary><c>ContainerAppCommandArgs</c>.</summary>
    public IReadOnlyList<string> AppCommandArgs { get; init; } = [];

    /// <summary><c>ContainerAppCommandInstruction</c>: <c>Entrypoint</c>, <c>DefaultArgs</c>, <c>None</c>, or empty to decide.</summary>
    public string? AppCommandInstruction { get; init; }
}

/// <summary>
/// The image's <c>ENTRYPOINT</c> and <c>CMD</c> from the .NET SDK's container items, decided by the rules its
/// <c>/t:PublishContainer</c> follows (documented with <c>ContainerAppCommandInstruction</c>), so the generated
/// Dockerfile starts the app exactly as the .NET SDK's image would: the app command becomes the entrypoint unless
/// the project sets an entrypoint of its own, in which case it becomes the default arguments; the older
/// <c>ContainerEntrypointArgs</c>-only form still means "app command as entrypoint, those arguments as CMD".
/// </summary>
internal static class ContainerCommand
{
    /// <summary>The entrypoint (null keeps the base image's) and the CMD (empty for none).</summary>
    internal static (IReadOnlyList<string>? Entrypoint, IReadOnlyList<string> Cmd) Decide(ContainerCommandItems items)
    {
        var entrypoint = items.Entrypoint;
        var entrypointArgs = items.EntrypointArgs;
        var cmd = items.DefaultArgs;
        var appCommand = items.AppCommand;
        var instruction = Normalize(items.AppCommandInstruction);
        var setsEntrypoint = entrypoint.Count > 0 || entrypointArgs.Count > 0;

        if (instruction is null)
        {
            if (!setsEntrypoint)
            {
                instruction = "Entrypoint";
            }
            else if (entrypoint.Count == 0 && cmd.Count == 0 && items.AppCommandArgs.Count == 0)
            {
                // Only ContainerEntrypointArgs, the form from before the app command existed: the app command
                // starts the container and those arguments are its default arguments.
                entrypoint = appCommand;
                cmd = entrypointArgs;
                entrypointArgs = [];
                appCommand = [];
                instruction = "None";
            }
            else
            {
                instruction = "DefaultArgs";
            }
        }

        if (entrypointArgs.Count > 0 && entrypoint.Count == 0)
        {
            throw Invalid("ContainerEntrypointArgs is set but ContainerEntrypoint is not: set ContainerEntrypoint, or use ContainerAppCommandArgs or ContainerDefaultArgs");
        }

        if (items.AppCommandArgs.Count > 0 && appCommand.Count == 0)
        {
            throw Invalid("ContainerAppCommandArgs is set but there is no ContainerAppCommand");
        }

        switch (instruction)
        {
            case "None":
                if (appCommand.Count > 0 || items.AppCommandArgs.Count > 0)
                {
                    throw Invalid("ContainerAppCommandInstruction is None but ContainerAppCommand or ContainerAppCommandArgs is set: the app command would not be used");
                }

                break;
            case "DefaultArgs":
                cmd = [.. appCommand, .. items.AppCommandArgs, .. cmd];
                break;
            case "Entrypoint":
                if (setsEntrypoint)
                {
                    throw Invalid("ContainerAppCommandInstruction is Entrypoint but ContainerEntrypoint or ContainerEntrypointArgs is set too: set one of them");
                }

                entrypoint = appCommand;
                entrypointArgs = items.AppCommandArgs;
                break;
        }

        return (entrypoint.Count > 0 ? [.. entrypoint, .. entrypointArgs] : null, cmd);
    }

    private static string? Normalize(string? instruction)
    {
        if (string.IsNullOrWhiteSpace(instruction))
        {
            return null;
        }

        foreach (var known in new[] { "Entrypoint", "DefaultArgs", "None" })
        {
            if (string.Equals(instruction.Trim(), known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw Invalid($"ContainerAppCommandInstruction '{instruction}' is not Entrypoint, DefaultArgs or None");
    }

    private static KanikoException Invalid(string message) =>
        new(DiagnosticCodes.MSBuildInvalidAppCommand, string.Format(System.Globalization.CultureInfo.InvariantCulture, Strings.MSBuildInvalidAppCommand, message));
}
