namespace Kaniko.Engine.Filesystem;

/// <summary>Whether .NET takes <c>flock</c> locks for <see cref="FileShare.None"/> in this process.</summary>
internal static class FileLocking
{
    /// <summary>
    /// True when <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> (or its AppContext switch) turned locking off: a lock
    /// then proves nothing, so nothing may be removed for being unlocked.
    /// </summary>
    public static bool Disabled =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";
}
