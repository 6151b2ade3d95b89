namespace Kaniko.Cli;

/// <summary>The entry point of <c>dotnet kaniko</c>.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code (see <c>docs/cli.md</c>).</summary>
    public static int Main(string[] args)
    {
        if (OperatingSystem.IsWindows())
        {
            RedirectedOutput.UseUtf8();
        }

        return KanikoCommandLine.Run(args);
    }
}
