using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Storage;

/// <summary>
/// One overlay mount of layer folders (read-only, bottom first), an upper folder that receives every change, and
/// its work folder, on a target folder. Lower folders are named through short links made for the mount
/// (<c>LINKS/0</c>, <c>LINKS/1</c>, ...), as containerd's and Docker's overlay drivers name them, so an image with
/// many layers fits the kernel's one-page limit on mount options (<c>fuse-overlayfs</c> reads them from its command
/// line, which has no such limit, and gets the same short names). The mount is made in the calling thread's mount
/// namespace: a caller that wants it private enters one first (<see cref="OverlayNative.EnterPrivateMountNamespace"/>
/// on a thread of its own). Disposing unmounts it and removes the links.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class OverlayMount : IDisposable
{
    /// <summary>The most bytes of options mount(2) takes (one page, its last byte the terminator).</summary>
    public const int MaxOptionsLength = 4095;

    private readonly string _links;
    private bool _mounted;
    private FuseOverlayProcess? _fuse;

    private OverlayMount(OverlayRung rung, string target, string links, string options)
    {
        Rung = rung;
        Target = target;
        _links = links;
        Options = options;
    }

    /// <summary>The rung the mount was made with.</summary>
    public OverlayRung Rung { get; }

    /// <summary>The mounted folder.</summary>
    public string Target { get; }

    /// <summary>The options given to the mount.</summary>
    public string Options { get; }

    /// <summary>
    /// The options of an overlay of <paramref name="lowerLinks"/> (top first, as overlayfs lists them), with
    /// <paramref name="upper"/> and <paramref name="work"/>; <c>userxattr</c> inside a user namespace. Renamed lower
    /// directories are copied up rather than redirected, so the upper folder alone says what changed:
    /// <c>redirect_dir=off</c> as root, <c>redirect_dir=nofollow</c> under <c>userxattr</c> (the kernel refuses
    /// <c>off</c> there, which it reads as "follow existing redirects"). <c>fuse-overlayfs</c> takes no such option: it
    /// copies a renamed lower directory up whole (<see cref="OverlayUpperMarks"/>).
    /// </summary>
    public static string OptionsFor(OverlayRung rung, IReadOnlyList<string> lowerLinks, string upper, string work)
    {
        ArgumentNullException.ThrowIfNull(lowerLinks);
        foreach (var path in lowerLinks.Append(upper).Append(work))
        {
            if (path.IndexOfAny([',', ':']) >= 0)
            {
                throw new ArgumentException("an overlay folder's path cannot hold ',' or ':': " + path, nameof(lowerLinks));
            }
        }

        var options = new StringBuilder("lowerdir=").AppendJoin(':', lowerLinks)
            .Append(",upperdir=").Append(upper).Append(",workdir=").Append(work);
        if (rung == OverlayRung.KernelOverlay)
        {
            options.Append(",redirect_dir=off");
        }
        else if (rung == OverlayRung.KernelOverlayInUserNamespace)
        {
            options.Append(",redirect_dir=nofollow,userxattr");
        }

        return options.ToString();
    }

    /// <summary>
    /// Mounts <paramref name="lowers"/> (the layers' folders, bottom first) under <paramref name="upper"/> on
    /// <paramref name="target"/>, with <paramref name="work"/> as overlayfs's work folder (empty, on the upper's file
    /// system); the short links go in a new folder under <paramref name="linkRoot"/> (keep it short).
    /// </summary>
    public static OverlayMount Mount(OverlayRung rung, IReadOnlyList<string> lowers, string upper, string work, string target, string linkRoot)
    {
        ArgumentNullException.ThrowIfNull(lowers);
        if (rung == OverlayRung.Unpack || lowers.Count == 0)
        {
            throw new ArgumentException("an overlay needs a kernel or fuse rung and at least one lower folder", nameof(rung));
        }

        var links = Path.Combine(Path.GetFullPath(linkRoot), Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(links);
        var names = new List<string>();
        for (var i = lowers.Count - 1; i >= 0; i--)
        {
            var link = Path.Combine(links, (lowers.Count - 1 - i).ToString(CultureInfo.InvariantCulture));
            File.CreateSymbolicLink(link, Path.GetFullPath(lowers[i]));
            names.Add(link);
        }

        var mount = new OverlayMount(rung, Path.GetFullPath(target), links, OptionsFor(rung, names, Path.GetFullPath(upper), Path.GetFullPath(work)));
        try
        {
            if (rung != OverlayRung.FuseOverlayfs && Encoding.UTF8.GetByteCount(mount.Options) > MaxOptionsLength)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture,
                    $"{lowers.Count} layers make {Encoding.UTF8.GetByteCount(mount.Options)} bytes of overlay options, more than the kernel's {MaxOptionsLength}: use a shorter link folder than {linkRoot}"));
            }

            if (rung == OverlayRung.FuseOverlayfs)
            {
                mount._fuse = FuseOverlayProcess.Mount(
                    OverlayHost.FindOnPath("setpriv") ?? throw new IOException("no setpriv on PATH"),
                    OverlayHost.FindOnPath("fuse-overlayfs") ?? throw new IOException("no fuse-overlayfs on PATH"),
                    mount.Options,
                    mount.Target);
            }
            else if (OverlayNative.Mount("overlay", mount.Target, "overlay", 0, mount.Options) is var errno and not 0)
            {
                throw new IOException("cannot mount the overlay on " + mount.Target + ": " + OverlayNative.Describe(errno) + " (options " + mount.Options + ")");
            }

            mount._mounted = true;
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    /// <summary>Unmounts (detached: a process still inside does not keep it) and removes the links.</summary>
    public void Dispose()
    {
        if (_mounted)
        {
            _mounted = false;
            if (_fuse is not null)
            {
                _fuse.Dispose();
                _fuse = null;
            }
            else if (OverlayNative.Unmount(Target) is var errno and not 0)
            {
                throw new IOException("cannot unmount the overlay on " + Target + ": " + OverlayNative.Describe(errno));
            }
        }

        StoreFolders.Remove(_links);
    }
}
