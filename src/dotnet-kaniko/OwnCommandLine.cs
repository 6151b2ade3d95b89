namespace Kaniko.Cli;

/// <summary>This process's command line, to run the same build again (in a user namespace, or a private mount namespace).</summary>
internal static class OwnCommandLine
{
    /// <summary>
    /// The program and arguments: <c>dotnet dotnet-kaniko.dll ARGS</c> runs the muxer with the assembly; an app host
    /// (the installed tool, the executor's single file) runs alone.
    /// </summary>
    public static IReadOnlyList<string> Get()
    {
        var arguments = Environment.GetCommandLineArgs();
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? [program, EntryAssemblyPath(), .. arguments.Skip(1)]
            : [program, .. arguments.Skip(1)];
    }

    // The tool's assembly beside the app, found without Assembly.Location, which a single-file publish (the executor
    // image's) leaves empty and flags; that build is an app host and never takes the muxer branch.
    private static string EntryAssemblyPath() =>
        Path.Combine(AppContext.BaseDirectory, typeof(OwnCommandLine).Assembly.GetName().Name + ".dll");
}
