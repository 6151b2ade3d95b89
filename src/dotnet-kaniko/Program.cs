namespace Kaniko.Cli;

/// <summary>The entry point of <c>dotnet kaniko</c>.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args) => KanikoCommandLine.Create().Parse(args).Invoke();
}
