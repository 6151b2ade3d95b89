using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context;

/// <summary>Where the Dockerfile is and how to name it in messages.</summary>
/// <param name="FullPath">The Dockerfile's full host path.</param>
/// <param name="DisplayName">The name for messages: the <c>--dockerfile</c> argument as written, or <c>Dockerfile</c>.</param>
internal sealed record DockerfileLocation(string FullPath, string DisplayName)
{
    /// <summary>The Dockerfile's bytes, exactly as stored (a BOM and CRLF line ends are kept for the parser).</summary>
    public byte[] ReadAllBytes() => File.ReadAllBytes(FullPath);
}

/// <summary>
/// Finds the Dockerfile named by <c>-f/--dockerfile</c>. An absolute path is used as it is; a relative one is looked
/// for from the working directory first and then inside the context directory (kaniko's order); without the option it
/// is <c>Dockerfile</c> in the context.
/// </summary>
internal static class DockerfileLocator
{
    /// <summary>The Dockerfile's name when none is given.</summary>
    public const string DefaultName = "Dockerfile";

    /// <summary>Finds the Dockerfile.</summary>
    /// <param name="dockerfileArgument">The <c>--dockerfile</c> value, or <c>null</c> for the default.</param>
    /// <param name="contextDirectory">The local build context directory.</param>
    /// <param name="workingDirectory">The directory relative paths fall back to; the process's own when <c>null</c>.</param>
    /// <exception cref="KanikoException">No candidate exists (<see cref="DiagnosticCodes.DockerfileNotFound"/>).</exception>
    public static DockerfileLocation Resolve(string? dockerfileArgument, string contextDirectory, string? workingDirectory = null)
    {
        var candidates = Candidates(dockerfileArgument, contextDirectory, workingDirectory);
        var found = candidates.FirstOrDefault(File.Exists);
        if (found is null)
        {
            throw new KanikoException(
                DiagnosticCodes.DockerfileNotFound,
                string.Format(
                    CultureInfo.InvariantCulture,
                    Strings.DockerfileNotFound,
                    DisplayName(dockerfileArgument),
                    string.Join(" and ", candidates.Select(c => "'" + c + "'"))));
        }

        return new DockerfileLocation(found, DisplayName(dockerfileArgument));
    }

    /// <summary>The full paths tried, in order.</summary>
    internal static IReadOnlyList<string> Candidates(string? dockerfileArgument, string contextDirectory, string? workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(contextDirectory);
        var context = Path.GetFullPath(contextDirectory);
        if (string.IsNullOrEmpty(dockerfileArgument))
        {
            return [Path.Combine(context, DefaultName)];
        }

        if (Path.IsPathRooted(dockerfileArgument))
        {
            return [Path.GetFullPath(dockerfileArgument)];
        }

        var inContext = Path.GetFullPath(dockerfileArgument, context);
        var inWorkingDirectory = Path.GetFullPath(dockerfileArgument, workingDirectory ?? Directory.GetCurrentDirectory());
        // As `docker build -f` and kaniko: a relative path names a file from where the command runs; kaniko then
        // falls back to the same path inside the context, which keeps `-f sub/Dockerfile -c ctx` working from anywhere.
        return inContext == inWorkingDirectory ? [inWorkingDirectory] : [inWorkingDirectory, inContext];
    }

    private static string DisplayName(string? dockerfileArgument) =>
        string.IsNullOrEmpty(dockerfileArgument) ? DefaultName : dockerfileArgument;
}
