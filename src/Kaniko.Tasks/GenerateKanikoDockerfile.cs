using System.Text;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MessageImportance = Microsoft.Build.Framework.MessageImportance;

namespace Kaniko.Tasks;

/// <summary>
/// Writes the Dockerfile for a project that has none (see <c>docs/sdk.md</c>): the file is rewritten only when its
/// text changes, so an unchanged project keeps an unchanged input for the incremental check.
/// </summary>
public sealed class GenerateKanikoDockerfile : Microsoft.Build.Utilities.Task
{
    /// <summary>Where to write the Dockerfile.</summary>
    [Required]
    public string OutputPath { get; set; } = string.Empty;

    /// <summary>The base image (<c>KanikoBaseImage</c>, <c>ContainerBaseImage</c>, or MNBC's inferred one).</summary>
    public string? BaseImage { get; set; }

    /// <summary>The working directory inside the image; <c>/app/</c> (the .NET SDK's default) when empty.</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>The user to run as; <c>$APP_UID</c> when empty.</summary>
    public string? User { get; set; }

    /// <summary>True for self-contained and AOT apps: the entrypoint is the apphost.</summary>
    public bool SelfContained { get; set; }

    /// <summary>The assembly name (the apphost's file name).</summary>
    [Required]
    public string AssemblyName { get; set; } = string.Empty;

    /// <summary>The app's file name, <c>app.dll</c>.</summary>
    [Required]
    public string TargetFileName { get; set; } = string.Empty;

    /// <summary><c>ContainerEnvironmentVariable</c> items: the name, and <c>Value</c> metadata.</summary>
    public ITaskItem[] EnvironmentVariables { get; set; } = [];

    /// <summary><c>ContainerPort</c> items: the port number, and <c>Type</c> metadata (<c>tcp</c> or <c>udp</c>).</summary>
    public ITaskItem[] Ports { get; set; } = [];

    /// <summary><c>ContainerEntrypoint</c> items, in order.</summary>
    public ITaskItem[] Entrypoint { get; set; } = [];

    /// <summary><c>ContainerEntrypointArgs</c> items, in order.</summary>
    public ITaskItem[] EntrypointArgs { get; set; } = [];

    /// <summary><c>ContainerDefaultArgs</c> items, in order.</summary>
    public ITaskItem[] DefaultArgs { get; set; } = [];

    /// <summary><c>ContainerAppCommand</c> items; empty for the .NET SDK's default (unless the instruction is <c>None</c>).</summary>
    public ITaskItem[] AppCommand { get; set; } = [];

    /// <summary><c>ContainerAppCommandArgs</c> items, in order.</summary>
    public ITaskItem[] AppCommandArgs { get; set; } = [];

    /// <summary><c>ContainerAppCommandInstruction</c>: <c>Entrypoint</c>, <c>DefaultArgs</c>, <c>None</c>, or empty.</summary>
    public string? AppCommandInstruction { get; set; }

    /// <summary>True when the context holds one publish output per platform (several runtime identifiers).</summary>
    public bool PerPlatformContext { get; set; }

    /// <summary>The registry pushed to (<c>KanikoRegistry</c>): <see cref="Insecure"/> and <see cref="SkipTlsVerify"/> apply to it.</summary>
    public string? Registry { get; set; }

    /// <summary>The pushed-to registry is plain HTTP (<c>KanikoInsecure</c>).</summary>
    public bool Insecure { get; set; }

    /// <summary>Registries reached over plain HTTP (<c>KanikoInsecureRegistries</c>, <c>DOTNET_CONTAINER_INSECURE_REGISTRIES</c>).</summary>
    public string? InsecureRegistries { get; set; }

    /// <summary>The pushed-to registry's certificate is not verified (<c>KanikoSkipTlsVerify</c>).</summary>
    public bool SkipTlsVerify { get; set; }

    /// <summary>The runtime identifier whose entry of a multi-platform base is read.</summary>
    public string? RuntimeIdentifier { get; set; }

    /// <summary>The project file, named in the error when no base image is known.</summary>
    public string? ProjectDirectory { get; set; }

    /// <inheritdoc />
    public override bool Execute() => ExecuteAsync().GetAwaiter().GetResult();

    private async Task<bool> ExecuteAsync()
    {
        try
        {
            if (string.IsNullOrWhiteSpace(BaseImage))
            {
                throw new KanikoException(DiagnosticCodes.MSBuildBaseImageRequired, string.Format(
                    System.Globalization.CultureInfo.InvariantCulture, Strings.MSBuildBaseImageRequired,
                    Path.Combine(ProjectDirectory ?? ".", "Dockerfile")));
            }

            var workingDirectory = string.IsNullOrWhiteSpace(WorkingDirectory) ? "/app/" : WorkingDirectory.Trim();
            if (!workingDirectory.StartsWith('/'))
            {
                throw GeneratedDockerfile.InvalidItem("ContainerWorkingDirectory", workingDirectory, "it must be an absolute path inside the image");
            }

            var noAppCommand = string.Equals(AppCommandInstruction?.Trim(), "None", StringComparison.OrdinalIgnoreCase);
            var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems
            {
                Entrypoint = Values(Entrypoint),
                EntrypointArgs = Values(EntrypointArgs),
                DefaultArgs = Values(DefaultArgs),
                AppCommand = AppCommand.Length > 0 || noAppCommand
                    ? Values(AppCommand)
                    : GeneratedDockerfile.AppCommand(workingDirectory, SelfContained, AssemblyName, TargetFileName),
                AppCommandArgs = Values(AppCommandArgs),
                AppCommandInstruction = AppCommandInstruction,
            });
            var text = GeneratedDockerfile.Write(new GeneratedDockerfileSpec
            {
                BaseImage = BaseImage.Trim(),
                WorkingDirectory = workingDirectory,
                User = string.IsNullOrWhiteSpace(User) ? null : User.Trim(),
                PerPlatformContext = PerPlatformContext,
                Entrypoint = entrypoint,
                Cmd = cmd,
                Environment = [.. EnvironmentVariables.Select(e =>
                    KeyValuePair.Create(GeneratedDockerfile.CheckEnvironmentName(e.ItemSpec), e.GetMetadata("Value")))],
                Ports = await ExposedPortsAsync(BaseImage.Trim()).ConfigureAwait(false),
            });
            var bytes = Encoding.UTF8.GetBytes(text);
            if (!File.Exists(OutputPath) || !File.ReadAllBytes(OutputPath).AsSpan().SequenceEqual(bytes))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(OutputPath))!);
                File.WriteAllBytes(OutputPath, bytes);
            }

            Log.LogMessage(MessageImportance.Normal, "Generated Dockerfile {0}:\n{1}", OutputPath, text);
            return true;
        }
        catch (KanikoException e)
        {
            MSBuildDiagnostics.LogError(Log, e, dockerfilePath: null);
            return false;
        }
    }

    // ContainerPort items, then what the .NET SDK exposes on its own: the ports ASP.NET Core listens on by the base
    // image's environment as the project's ContainerEnvironmentVariable items leave it (one manifest and config read).
    private async Task<IReadOnlyList<string>> ExposedPortsAsync(string baseImage)
    {
        var ports = Ports.Select(p => GeneratedDockerfile.Port(p.ItemSpec, p.GetMetadata("Type"))).ToList();
        var pushRegistries = string.IsNullOrWhiteSpace(Registry) ? [] : new[] { Registry.Trim() };
        var settings = TaskRegistryOptions.Create(pushRegistries, Insecure, InsecureRegistries, SkipTlsVerify);
        IEnumerable<string> baseEnvironment;
        try
        {
            var platform = RuntimePlatforms.ToPlatform(string.IsNullOrWhiteSpace(RuntimeIdentifier) ? "linux-x64" : RuntimeIdentifier);
            baseEnvironment = await ImageInspection.EnvironmentAsync(baseImage, platform, settings, pushRegistries, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KanikoException e)
        {
            Log.LogMessage(MessageImportance.Normal, "cannot read the environment of {0} ({1}): no ports inferred from it", baseImage, e.Message);
            return ports;
        }

        var environment = AspNetCorePorts.Parse(baseEnvironment);
        foreach (var variable in EnvironmentVariables)
        {
            environment[variable.ItemSpec] = variable.GetMetadata("Value");
        }

        return [.. ports, .. AspNetCorePorts.FromEnvironment(environment).Where(p => !ports.Contains(p))];
    }

    private static IReadOnlyList<string> Values(ITaskItem[] items) => [.. items.Select(i => i.ItemSpec)];
}
