using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>
/// A content-addressed store of blobs on disk (<c>ROOT/blobs/ALGORITHM/ENCODED</c>), shared by builds and by
/// processes. A blob is first written to a private temporary file beside the store while its digest and size are
/// verified, then renamed into place: a reader only ever sees complete, verified blobs, and two processes that fetch
/// the same blob at once both succeed (the rename is atomic; the loser's copy is simply dropped).
/// </summary>
internal sealed class BlobStore
{
    private const string BlobsFolder = "blobs";
    private const string IncomingFolder = "incoming";

    /// <summary>Opens (and creates when missing) a store rooted at <paramref name="root"/>.</summary>
    public BlobStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>
    /// The store used when none is configured: <c>$KANIKO_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/kaniko-dotnet</c>,
    /// else <c>~/.cache/kaniko-dotnet</c>; on Windows <c>%LOCALAPPDATA%\kaniko-dotnet</c>, where Windows programs
    /// keep what they can download again.
    /// </summary>
    public static string DefaultRoot
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("KANIKO_CACHE_DIR");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "kaniko-dotnet");
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cacheHome = !string.IsNullOrEmpty(xdg)
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(cacheHome, "kaniko-dotnet");
        }
    }

    /// <summary>The store's root folder.</summary>
    public string Root { get; }

    /// <summary>Where the blob with <paramref name="digest"/> lives (whether or not it is there).</summary>
    public string PathOf(Digest digest) => Path.Combine(Root, BlobsFolder, digest.Algorithm, digest.Encoded);

    /// <summary>Whether the blob is in the store.</summary>
    public bool Contains(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>
    /// Opens a stored blob for reading, verified again as it is read (a disk can rot, and the store is shared), or
    /// returns <c>null</c> when it is not stored.
    /// </summary>
    public Stream? TryOpenRead(Digest digest, long? expectedSize = null)
    {
        try
        {
            var file = new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
            return new DigestVerifyingStream(file, digest, expectedSize ?? file.Length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes sure the blob is stored: when it is missing, copies <paramref name="openSource"/>'s content into the store,
    /// verifying digest and size on the way, and returns the blob's path. The source is not opened when the blob is
    /// already there.
    /// </summary>
    /// <exception cref="KanikoException">The source's content does not match <paramref name="digest"/> or <paramref name="size"/>.</exception>
    public async Task<string> EnsureAsync(Digest digest, long? size, Func<CancellationToken, Task<Stream>> openSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(openSource);
        var target = PathOf(digest);
        if (File.Exists(target))
        {
            return target;
        }

        var incoming = Path.Combine(Root, IncomingFolder);
        Directory.CreateDirectory(incoming);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = Path.Combine(incoming, string.Create(CultureInfo.InvariantCulture, $"{digest.Encoded}.{Environment.ProcessId}.{Guid.NewGuid():N}"));
        try
        {
            // FileShare.None holds an exclusive lock on the temporary file while it is written: RemoveAbandonedIncoming
            // leaves it alone until this process ends. Where the system allows it the file is renamed while still
            // locked, so no moment exists where a written file is unlocked and still in incoming/.
            await using (var source = await openSource(cancellationToken).ConfigureAwait(false))
            await using (var verified = new DigestVerifyingStream(source, digest, size))
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await verified.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (!OperatingSystem.IsWindows())
                {
                    MoveIntoPlace(temporary, target);
                }
            }

            if (OperatingSystem.IsWindows())
            {
                MoveIntoPlace(temporary, target);
            }

            return target;
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>
    /// Removes leftovers of interrupted writes older than <paramref name="age"/> (a crashed process cannot clean up
    /// after itself; a live one keeps its temporary file for seconds, not hours).
    /// </summary>
    public void RemoveStaleIncoming(TimeSpan age)
    {
        var incoming = new DirectoryInfo(Path.Combine(Root, IncomingFolder));
        if (!incoming.Exists)
        {
            return;
        }

        var cutoff = DateTime.UtcNow - age;
        foreach (var file in incoming.EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff)
            {
                TryDelete(file.FullName);
            }
        }
    }

    /// <summary>
    /// Removes the temporary files in <c>incoming/</c> whose writer is gone (a killed build: its lock went with it),
    /// and returns how many. An empty one is left to <see cref="RemoveStaleIncoming"/>: its writer may not have taken
    /// its lock yet. Nothing is removed when file locking is switched off for this process.
    /// </summary>
    public int RemoveAbandonedIncoming()
    {
        var incoming = new DirectoryInfo(Path.Combine(Root, IncomingFolder));
        if (Filesystem.FileLocking.Disabled || !incoming.Exists)
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in incoming.EnumerateFiles())
        {
            try
            {
                using var unlocked = new FileStream(file.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                if (unlocked.Length > 0)
                {
                    // Deleted while this process holds the lock, so no writer can take the name meanwhile.
                    File.Delete(file.FullName);
                    removed++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Locked by a live writer, already gone, or not ours.
            }
        }

        return removed;
    }

    private static void MoveIntoPlace(string temporary, string target)
    {
        try
        {
            File.Move(temporary, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another build stored the same content first; its copy is as good as ours.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is removed by RemoveStaleIncoming later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
