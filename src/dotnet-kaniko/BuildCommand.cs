using System.CommandLine;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli;

/// <summary>
/// <c>dotnet kaniko build</c>, with kaniko's flag names (<see cref="BuildOptions"/>): builds the image and pushes
/// it or writes it to files; with <c>--dry-run</c> it prints the build plan instead.
/// </summary>
internal static class BuildCommand
{
    internal static Command Create(CliHost? host = null)
    {
        host ??= CliHost.System;
        var command = new Command("build", "Build an image from a Dockerfile and push it, or write it as a tarball or an OCI layout.");
        foreach (var option in BuildOptions.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RunAsync(parse, host, cancellationToken));
        return command;
    }

    internal static async Task<int> RunAsync(ParseResult parse, CliHost host, CancellationToken cancellationToken)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        OutputSettings settings;
        try
        {
            settings = OutputSettings.Resolve(
                parse.GetValue(BuildOptions.LogFormat), parse.GetValue(BuildOptions.Progress), parse.GetValue(BuildOptions.LogTimestamp),
                host.IsTerminal(output), host.Environment);
        }
        catch (KanikoException e)
        {
            await error.WriteLineAsync(Describe(e)).ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        var style = new TextStyle(settings.Format == LogFormat.Color, settings.Timestamps, host.Time);
        BuildRequest request;
        ConsoleVerbosity verbosity;
        try
        {
            request = BuildOptions.Bind(parse, host.Environment);
            verbosity = ConsoleVerbosity.Parse(parse.GetValue(BuildOptions.Verbosity));
        }
        catch (KanikoException e)
        {
            ReportError(e, settings, style, output, error, host);
            return ExitCodes.UsageError;
        }

        try
        {
            if (parse.GetValue(BuildOptions.DryRun))
            {
                var plans = KanikoPlanner.Describe(request);
                foreach (var plan in plans)
                {
                    if (plans.Count > 1)
                    {
                        await output.WriteAsync($"platform {plan.Platform}:\n").ConfigureAwait(false);
                    }

                    await output.WriteAsync(plan.Text).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            request = PrivateMountNamespace.EnterIfUseful(request, message =>
            {
                if (verbosity >= ConsoleVerbosity.Debug)
                {
                    error.WriteLine(message);
                }
            });
            if (await UserNamespaceReentry.TryRunAsync(request, cancellationToken).ConfigureAwait(false) is { } reentered)
            {
                return reentered;
            }

            var started = host.Time.GetTimestamp();
            if (settings.Format == LogFormat.Json)
            {
                var json = new JsonEventSink(error, verbosity, host.Time);
                var built = await KanikoBuilder.BuildAsync(request, json, cancellationToken).ConfigureAwait(false);
                json.Summary(BuildSummary.Of(request, built, host.Time.GetElapsedTime(started)));
                return ExitCodes.Success;
            }

            ILineWriter lines;
            BuildResult result;
            if (settings.LiveProgress)
            {
                var console = host.AnsiConsole(output);
                lines = new AnsiLineWriter(console, error, style);
                var sink = new ConsoleEventSink(lines, verbosity);
                result = await LiveProgressEventSink.Display(console)
                    .StartAsync(progress => KanikoBuilder.BuildAsync(request, new LiveProgressEventSink(sink, progress), cancellationToken))
                    .ConfigureAwait(false);
            }
            else
            {
                lines = new TextLineWriter(output, error, style);
                result = await KanikoBuilder.BuildAsync(request, new ConsoleEventSink(lines, verbosity), cancellationToken).ConfigureAwait(false);
            }

            if (verbosity >= ConsoleVerbosity.Info)
            {
                foreach (var line in BuildSummary.Of(request, result, host.Time.GetElapsedTime(started)).TextLines())
                {
                    lines.WriteLine(LineKind.Summary, line);
                }
            }

            return ExitCodes.Success;
        }
        catch (KanikoException e)
        {
            ReportError(e, settings, style, output, error, host);
            return ExitCodes.For(e.Code);
        }
    }

    // Errors are printed whatever the verbosity: a failed command must say why.
    private static void ReportError(KanikoException e, OutputSettings settings, TextStyle style, TextWriter output, TextWriter error, CliHost host)
    {
        if (settings.Format == LogFormat.Json)
        {
            new JsonEventSink(error, ConsoleVerbosity.Error, host.Time).Error(e);
        }
        else
        {
            new TextLineWriter(output, error, style).WriteLine(LineKind.Error, Describe(e));
        }
    }

    /// <summary>The one-line form documented in <c>docs/diagnostics.md</c>: <c>file:line: message [KANIKOnnnn]</c>.</summary>
    internal static string Describe(KanikoException e) => $"{e.Message} [{e.Code}]";
}
