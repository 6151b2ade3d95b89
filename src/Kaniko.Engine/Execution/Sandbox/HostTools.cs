namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>Finds the host programs the sandboxes start: on <c>PATH</c>, then in the usual system folders.</summary>
internal static class HostTools
{
    private static readonly string[] SystemFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The environment the helper programs run with: only a plain <c>PATH</c>.</summary>
    public static IReadOnlyList<string> Environment { get; } = ["PATH=" + string.Join(':', SystemFolders)];

    /// <summary>The full path of <paramref name="name"/>, or <c>null</c> when it is not installed.</summary>
    public static string? Find(string name)
    {
        var path = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(SystemFolders))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
