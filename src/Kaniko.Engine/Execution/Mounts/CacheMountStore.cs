using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// The folders of <c>RUN --mount=type=cache</c>, kept across builds under <c>ROOT/run-cache/</c>: one folder per
/// cache id (and per seed, owner and mode, which BuildKit makes part of the cache's identity too), holding numbered
/// instances. Every step that uses an instance holds a file lock on it for as long as it runs, which is how
/// <see cref="CacheSharing"/> is kept across threads and concurrent builds: <c>shared</c> takes a shared lock on
/// instance 0, <c>locked</c> waits for an exclusive one, and <c>private</c> takes the first instance nobody holds,
/// making a new one when all are held.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class CacheMountStore
{
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Keeps the caches under <paramref name="cacheRoot"/><c>/run-cache</c>.</summary>
    /// <param name="cacheRoot">The build's cache folder (<c>--cache-dir</c>, else <see cref="Caching.BlobStore.DefaultRoot"/>).</param>
    public CacheMountStore(string cacheRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheRoot);
        Root = Path.Combine(Path.GetFullPath(cacheRoot), "run-cache");
    }

    /// <summary>The folder holding every cache.</summary>
    public string Root { get; }

    /// <summary>
    /// The folder name of a cache: the id made safe for a file name (at most 64 characters), then a hash of the id
    /// and <paramref name="variant"/>, so different ids never share a folder.
    /// </summary>
    public static string FolderName(string id, string variant)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(variant);
        var readable = new StringBuilder();
        foreach (var c in id.Trim('/'))
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var name = readable.Length > 64 ? readable.ToString(0, 64) : readable.ToString();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id + "\0" + variant)))[..16];
        return (name.Length == 0 ? "cache" : name) + "-" + hash;
    }

    /// <summary>
    /// Takes an instance of the cache <paramref name="id"/> for one step, creating it when new: an empty folder
    /// (root's, 0755) or the one <paramref name="seed"/> makes, then given <paramref name="owner"/> and
    /// <paramref name="mode"/> when they are not null. Waits (until cancelled) while a <c>locked</c> step holds it.
    /// </summary>
    /// <param name="id">The cache id.</param>
    /// <param name="variant">What else makes the cache distinct (its seed, owner and mode), or empty.</param>
    /// <param name="sharing">How concurrent steps share it.</param>
    /// <param name="owner">The owner a new instance's folder gets (applied when this process is root), or <c>null</c>.</param>
    /// <param name="mode">The permission bits a new instance's folder gets, or <c>null</c>.</param>
    /// <param name="seed">Makes a new instance's folder at the path it is given (which does not exist yet); <c>null</c> for an empty one.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="KanikoException"><c>KANIKO4606</c> when the folder cannot be made or locked.</exception>
    public async Task<CacheMountLease> AcquireAsync(
        string id, string variant, CacheSharing sharing, CopyOwner? owner, UnixFileMode? mode,
        Func<string, CancellationToken, Task>? seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var folder = Path.Combine(Root, FolderName(id, variant));
        FileStream? lockFile = null;
        try
        {
            Directory.CreateDirectory(folder);
            var instance = 0;
            if (sharing == CacheSharing.Private)
            {
                while ((lockFile = TryLock(LockPath(folder, instance), exclusive: true)) is null)
                {
                    instance++;
                }
            }
            else
            {
                var exclusive = sharing == CacheSharing.Locked;
                while ((lockFile = TryLock(LockPath(folder, instance), exclusive)) is null)
                {
                    await Task.Delay(LockPollInterval, cancellationToken).ConfigureAwait(false);
                }
            }

            var directory = Path.Combine(folder, instance.ToString(CultureInfo.InvariantCulture));
            if (!Directory.Exists(directory))
            {
                await CreateInstanceAsync(directory, owner, mode, seed, cancellationToken).ConfigureAwait(false);
            }

            return new CacheMountLease(directory, lockFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lockFile?.Dispose();
            throw new KanikoException(DiagnosticCodes.CacheMountFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.CacheMountFailed, id, e.Message), null, e);
        }
        catch
        {
            lockFile?.Dispose();
            throw;
        }
    }

    private static string LockPath(string folder, int instance) =>
        Path.Combine(folder, instance.ToString(CultureInfo.InvariantCulture) + ".lock");

    // .NET takes flock(LOCK_EX | LOCK_NB) for FileShare.None and flock(LOCK_SH | LOCK_NB) otherwise, and reports a
    // held lock as an IOException: the lock lives as long as the stream, in this process or another one.
    private static FileStream? TryLock(string path, bool exclusive)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    // Made beside its final name and renamed, so a build that stops half-way never leaves a half-seeded cache.
    private static async Task CreateInstanceAsync(
        string directory, CopyOwner? owner, UnixFileMode? mode, Func<string, CancellationToken, Task>? seed, CancellationToken cancellationToken)
    {
        var staging = directory + ".new-" + Guid.NewGuid().ToString("N");
        try
        {
            if (seed is null)
            {
                Directory.CreateDirectory(staging, LayerEntry.DefaultDirectoryMode);
            }
            else
            {
                await seed(staging, cancellationToken).ConfigureAwait(false);
            }

            if (mode is { } bits)
            {
                File.SetUnixFileMode(staging, bits);
            }

            if (owner is { } o && LibC.EffectiveUserId == 0 && LibC.ChangeOwner(staging, (uint)o.Uid, (uint)o.Gid) is var errno and not 0)
            {
                throw new IOException("cannot change the owner of the cache folder: " + LibC.Describe(errno));
            }

            try
            {
                Directory.Move(staging, directory);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                // A shared step of another build made it first; its instance is as good as this one.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                DeleteTree(staging);
            }
        }
    }

    /// <summary>Deletes a folder this tool made, whatever modes its content has (links are removed, not followed).</summary>
    internal static void DeleteTree(string path)
    {
        try
        {
            foreach (var directory in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories).Prepend(path))
            {
                if (new FileInfo(directory).LinkTarget is null)
                {
                    File.SetUnixFileMode(directory, (UnixFileMode)0x1C0); // 0700, so a step's read-only folder can be emptied
                }
            }

            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover in the work folder goes with it at the end of the build.
        }
    }
}

/// <summary>One step's hold on a cache instance: its folder, and the lock released on dispose.</summary>
internal sealed class CacheMountLease : IDisposable
{
    private readonly FileStream _lock;

    internal CacheMountLease(string directory, FileStream lockFile)
    {
        Directory = directory;
        _lock = lockFile;
    }

    /// <summary>The host folder mounted for the step.</summary>
    public string Directory { get; }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock.Dispose();
}
