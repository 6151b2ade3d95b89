namespace Kaniko.Testing;

/// <summary>
/// The folder where expensive test inputs (base image layouts) persist between test runs:
/// <c>$KANIKO_TEST_CACHE</c>, else <c>$XDG_CACHE_HOME/kaniko-tests</c>, else <c>~/.cache/kaniko-tests</c>.
/// Entries are keyed by a content version, so deleting the folder is always safe.
/// </summary>
public static class TestCache
{
    /// <summary>The cache folder (created on first use).</summary>
    public static string Directory
    {
        get
        {
            var directory = Resolve();
            System.IO.Directory.CreateDirectory(directory);
            return directory;
        }
    }

    /// <summary>
    /// Returns <paramref name="name"/> inside the cache, creating it with <paramref name="populate"/> when absent.
    /// The folder is filled under a temporary name and renamed into place, so a reader never sees half an entry
    /// and two test processes filling the same entry at once both end up with a complete one.
    /// </summary>
    public static async Task<string> GetOrCreateDirectoryAsync(string name, Func<string, Task> populate)
    {
        ArgumentNullException.ThrowIfNull(populate);
        var target = Path.Combine(Directory, name);
        if (System.IO.Directory.Exists(target))
        {
            return target;
        }

        var staging = Path.Combine(Directory, ".staging-" + name + "-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(staging);
        try
        {
            await populate(staging).ConfigureAwait(false);
            System.IO.Directory.Move(staging, target);
        }
        catch (IOException) when (System.IO.Directory.Exists(target))
        {
            // Another process published the same entry first; its content is equivalent.
        }
        finally
        {
            if (System.IO.Directory.Exists(staging))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }
        }

        return target;
    }

    private static string Resolve()
    {
        var explicitDirectory = Environment.GetEnvironmentVariable("KANIKO_TEST_CACHE");
        if (!string.IsNullOrEmpty(explicitDirectory))
        {
            return Path.GetFullPath(explicitDirectory);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "kaniko-tests");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home)
            ? Path.Combine(Path.GetTempPath(), "kaniko-tests-cache")
            : Path.Combine(home, ".cache", "kaniko-tests");
    }
}
