using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Checks, before a <c>RUN</c> step starts, that the program it runs is in the stage's filesystem: the sandboxes
/// would otherwise report only a terse <c>execvp</c> failure, and the usual cause (a shell-form <c>RUN</c> in a stage
/// <c>FROM scratch</c>) deserves a message that says so.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RunProgram
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Throws <c>KANIKO4302</c> when the program of <paramref name="spec"/> (or its script's interpreter) is missing.</summary>
    public static void EnsureExists(SandboxSpec spec, RunInstruction run)
    {
        var program = spec.Args[0];
        if (spec.Script is { } script && program == script.Path)
        {
            // The sandbox provides the script itself; the kernel then needs the interpreter its first line names.
            if (Interpreter(script.Content) is not { } interpreter)
            {
                return;
            }

            program = interpreter;
        }

        var path = spec.Environment.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?["PATH=".Length..] ?? DefaultPath;
        if (Exists(spec.RootFs, program, spec.WorkingDirectory, path))
        {
            return;
        }

        var hint = !Directory.EnumerateFileSystemEntries(spec.RootFs).Any() ? Strings.RunProgramNotFoundEmptyStage
            : program.Contains('/', StringComparison.Ordinal) ? string.Empty
            : string.Format(CultureInfo.InvariantCulture, Strings.RunProgramNotFoundOnPath, path);
        throw new KanikoException(DiagnosticCodes.RunProgramNotFound, string.Format(
            CultureInfo.InvariantCulture, Strings.RunProgramNotFound, RunStepRunner.StepName(run), GoQuote.Quote(program), hint), run.Range);
    }

    /// <summary>
    /// Whether <paramref name="program"/> names a file in <paramref name="rootFs"/>: a path (relative ones from the
    /// working directory), or a name looked up in the folders of <paramref name="path"/>, links followed inside the root.
    /// </summary>
    internal static bool Exists(string rootFs, string program, string workingDirectory, string path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var absolute = program.StartsWith('/') ? program : (workingDirectory.Length == 0 ? "/" : workingDirectory).TrimEnd('/') + "/" + program;
            return File.Exists(RootPath.Resolve(rootFs, absolute));
        }

        return path.Split(':').Any(folder =>
            File.Exists(RootPath.Resolve(rootFs, (folder.Length == 0 ? workingDirectory : folder).TrimEnd('/') + "/" + program)));
    }

    /// <summary>The interpreter a <c>#!</c> line names, or <c>null</c> when the script has none.</summary>
    internal static string? Interpreter(string script)
    {
        if (!script.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }

        var end = script.IndexOf('\n', StringComparison.Ordinal);
        var line = (end < 0 ? script[2..] : script[2..end]).Trim();
        var space = line.IndexOfAny([' ', '\t']);
        var interpreter = space < 0 ? line : line[..space];
        return interpreter.Length == 0 ? null : interpreter;
    }
}
