namespace Kaniko.Engine.Storage;

/// <summary>
/// How a layer folder of the store says what it hides, which depends on who mounts it. A deleted path is a character
/// device 0/0 in every form (the kernel lets any user make that one device since 5.8). A directory that replaces the
/// lower ones carries <c>trusted.overlay.opaque</c> when root of the machine mounts, <c>user.overlay.opaque</c>
/// under <c>userxattr</c> (inside a user namespace, where <c>trusted.*</c> can be neither set nor read), and
/// <c>user.fuseoverlayfs.opaque</c> for <c>fuse-overlayfs</c> inside a user namespace (the attribute every version of
/// it reads there, and the one it writes itself). Each mount reads only its own form's attribute, so each form has a
/// store folder of its own and two forms never share an entry.
/// </summary>
/// <param name="OpaqueAttribute">The extended attribute that marks a directory opaque (value <c>y</c>).</param>
/// <param name="StoreVersion">The store's folder for entries in this form (<c>CACHE_DIR/layer-store/VERSION</c>).</param>
internal sealed record OverlayForm(string OpaqueAttribute, string StoreVersion)
{
    /// <summary>The form of a mount made by root of the machine (the store's first layout, kept as it was).</summary>
    public static readonly OverlayForm Trusted = new("trusted.overlay.opaque", "v1");

    /// <summary>The form of a mount made inside a user namespace with <c>userxattr</c>.</summary>
    public static readonly OverlayForm UserXattr = new("user.overlay.opaque", "v1-userxattr");

    /// <summary>
    /// The form of a <c>fuse-overlayfs</c> mount made inside a user namespace: <c>user.overlay.opaque</c> is read
    /// only by its versions from 1.8 on, <c>user.fuseoverlayfs.opaque</c> by all of them.
    /// </summary>
    public static readonly OverlayForm FuseInUserNamespace = new("user.fuseoverlayfs.opaque", "v1-fuse");

    /// <summary>Every form, in the order <c>cache ls</c> shows their stores.</summary>
    public static IReadOnlyList<OverlayForm> All { get; } = [Trusted, UserXattr, FuseInUserNamespace];

    /// <summary>
    /// The form the lower folders of a mount on <paramref name="rung"/> must have; <paramref name="inUserNamespace"/>
    /// tells the two forms of the <c>fuse-overlayfs</c> rung apart (as root of the machine it reads the trusted one).
    /// </summary>
    public static OverlayForm Of(OverlayRung rung, bool inUserNamespace = false) => rung switch
    {
        OverlayRung.KernelOverlayInUserNamespace => UserXattr,
        OverlayRung.FuseOverlayfs when inUserNamespace => FuseInUserNamespace,
        _ => Trusted,
    };

    /// <summary>Whether a mount on <paramref name="rung"/> reads folders of this form.</summary>
    public bool IsReadBy(OverlayRung rung) => this == Of(rung) || this == Of(rung, inUserNamespace: true);
}
