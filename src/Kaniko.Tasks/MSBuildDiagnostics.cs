using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Utilities;

namespace Kaniko.Tasks;

/// <summary>
/// Turns engine diagnostics into MSBuild errors and warnings with the same <c>KANIKOnnnn</c> code and, when the
/// engine located them, the Dockerfile's full path and lines, so the build output reads
/// <c>/src/app/Dockerfile(3): error KANIKO1101: ...</c> and IDEs open the Dockerfile at that line.
/// </summary>
internal static class MSBuildDiagnostics
{
    internal static void LogError(TaskLoggingHelper log, KanikoException error, string? dockerfilePath)
    {
        var (file, line, endLine) = Location(error.Range, dockerfilePath);
        log.LogError(null, error.Code.ToString(), null, file, line, 0, endLine, 0, error.Detail);
    }

    internal static void LogWarning(TaskLoggingHelper log, BuildWarning warning, string? dockerfilePath)
    {
        var (file, line, endLine) = Location(warning.Range, dockerfilePath);
        log.LogWarning(null, warning.Code.ToString(), null, file, line, 0, endLine, 0, warning.Message);
    }

    // The engine names a Dockerfile as the request did (our requests give full paths); a relative name is resolved
    // against the Dockerfile's folder so an IDE finds it whatever the working directory.
    private static (string? File, int Line, int EndLine) Location(SourceRange? range, string? dockerfilePath)
    {
        if (range is not { } r)
        {
            return (null, 0, 0);
        }

        var file = r.File;
        if (!Path.IsPathRooted(file) && dockerfilePath is not null)
        {
            file = Path.GetFileName(dockerfilePath) == file || string.IsNullOrEmpty(file)
                ? dockerfilePath
                : Path.GetFullPath(file, Path.GetDirectoryName(dockerfilePath) ?? ".");
        }

        return (file, r.StartLine, r.EndLine != r.StartLine ? r.EndLine : 0);
    }
}
