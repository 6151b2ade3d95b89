using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Cli;

/// <summary>
/// <c>dotnet kaniko build</c>, with kaniko's flag names (<see cref="BuildOptions"/>): builds the image and pushes
/// it or writes it to files; with <c>--dry-run</c> it prints the build plan instead.
/// </summary>
internal static class BuildCommand
{
    internal static Command Create()
    {
        var command = new Command("build", "Build an image from a Dockerfile and push it, or write it as a tarball or an OCI layout.");
        foreach (var option in BuildOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, Environment.GetEnvironmentVariable, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(ParseResult parse, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        BuildRequest request;
        try
        {
            request = BuildOptions.Bind(parse, environment);
        }
        catch (KanikoException e)
        {
            await error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            if (parse.GetValue(BuildOptions.DryRun))
            {
                var plans = KanikoPlanner.PlanPlatforms(request);
                foreach (var plan in plans)
                {
                    if (plans.Count > 1)
                    {
                        await output.WriteAsync($"platform {plan.TargetPlatform}:\n").ConfigureAwait(false);
                    }

                    await output.WriteAsync(PlanTextWriter.Write(plan)).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            if (await UserNamespaceReentry.TryRunAsync(request, cancellationToken).ConfigureAwait(false) is { } reentered)
            {
                return reentered;
            }

            var verbosity = ConsoleVerbosity.Parse(parse.GetValue(BuildOptions.Verbosity));
            var sink = new ConsoleEventSink(output, error, verbosity);
            var stopwatch = Stopwatch.StartNew();
            var result = await KanikoBuilder.BuildAsync(request, sink, cancellationToken).ConfigureAwait(false);
            WriteSummary(output, request, result, stopwatch.Elapsed, verbosity);
            return ExitCodes.Success;
        }
        catch (KanikoException e)
        {
            await error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            return ExitCodes.For(e.Code);
        }
    }

    private static void WriteSummary(TextWriter output, BuildRequest request, BuildResult result, TimeSpan elapsed, ConsoleVerbosity verbosity)
    {
        if (verbosity < ConsoleVerbosity.Info)
        {
            return;
        }

        foreach (var reference in result.References)
        {
            output.WriteLine($"Pushed {reference}");
        }

        if (request.TarPath is { } tarPath)
        {
            output.WriteLine($"Wrote tarball {tarPath}");
        }

        if (request.OciLayoutPath is { } layoutPath)
        {
            output.WriteLine($"Wrote OCI layout {layoutPath}");
        }

        if (result.Images.Count > 1)
        {
            foreach (var image in result.Images)
            {
                output.WriteLine($"Image {image.Platform}: {image.Digest}");
            }

            output.WriteLine($"Index digest: {result.Digest}");
        }
        else
        {
            output.WriteLine($"Digest: {result.Digest}");
        }

        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Size: {0} ({1} bytes)", ConsoleEventSink.FormatSize(result.Size), result.Size));
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "Time: {0:0.00} s", elapsed.TotalSeconds));
    }

    /// <summary>The one-line form documented in <c>docs/diagnostics.md</c>: <c>file:line: message [KANIKOnnnn]</c>.</summary>
    internal static string Describe(KanikoException e) => $"{e.Message} [{e.Code}]";
}
