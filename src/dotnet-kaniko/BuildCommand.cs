using System.CommandLine;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Cli;

/// <summary>
/// <c>dotnet kaniko build</c>, with kaniko's flag names. Only options that work today are offered: with
/// <c>--dry-run</c> it prints the build plan; building an image is not available yet.
/// </summary>
internal static class BuildCommand
{
    private static readonly Option<string> ContextOption = new("--context", "-c")
    {
        Description = "The build context: a directory or dir://PATH.",
        HelpName = "PATH",
        DefaultValueFactory = _ => ".",
    };

    private static readonly Option<string?> DockerfileOption = new("--dockerfile", "-f")
    {
        Description = "The Dockerfile (default: Dockerfile in the context).",
        HelpName = "PATH",
    };

    private static readonly Option<string[]> BuildArgOption = new("--build-arg")
    {
        Description = "A build argument NAME=VALUE, or NAME to take the value from the environment. Repeatable.",
        HelpName = "NAME[=VALUE]",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> TargetOption = new("--target")
    {
        Description = "The stage to build (default: the last one).",
        HelpName = "STAGE",
    };

    private static readonly Option<bool> DryRunOption = new("--dry-run")
    {
        Description = "Plan the build and print the stages and steps without building.",
    };

    private static readonly Option<string?> PlatformOption = new("--custom-platform", "--platform")
    {
        Description = "The platform to build for (TARGETPLATFORM; default: linux on this machine's architecture).",
        HelpName = "OS/ARCH[/VARIANT]",
    };

    internal static Command Create()
    {
        var command = new Command("build", "Build an image from a Dockerfile (today: plan it with --dry-run).")
        {
            ContextOption, DockerfileOption, BuildArgOption, TargetOption, DryRunOption, PlatformOption,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        if (!parse.GetValue(DryRunOption))
        {
            error.WriteLine("building images is not available yet; use --dry-run to print the build plan");
            return ExitCodes.NotAvailable;
        }

        BuildRequest request;
        try
        {
            request = new BuildRequest
            {
                Context = parse.GetValue(ContextOption) ?? ".",
                Dockerfile = parse.GetValue(DockerfileOption),
                BuildArgs = BuildArguments.Parse(parse.GetValue(BuildArgOption) ?? [], Environment.GetEnvironmentVariable),
                Target = parse.GetValue(TargetOption),
                Platform = parse.GetValue(PlatformOption) is { } platform ? Kaniko.Engine.Oci.Platform.Parse(platform).ToString() : null,
            };
        }
        catch (KanikoException e)
        {
            error.WriteLine(Describe(e));
            return ExitCodes.UsageError;
        }

        try
        {
            output.Write(PlanTextWriter.Write(KanikoPlanner.Plan(request)));
            return ExitCodes.Success;
        }
        catch (KanikoException e)
        {
            error.WriteLine(Describe(e));
            return e.Code.Area == DiagnosticArea.General && e.Code == DiagnosticCodes.InternalError ? ExitCodes.InternalError : ExitCodes.BuildFailed;
        }
    }

    /// <summary>The one-line form documented in <c>docs/diagnostics.md</c>: <c>file:line: message [KANIKOnnnn]</c>.</summary>
    internal static string Describe(KanikoException e) => $"{e.Message} [{e.Code}]";
}
