namespace Kaniko.Engine.Storage;

/// <summary>
/// How a layer folder of the store says what it hides, which depends on who mounts it. A deleted path is a character
/// device 0/0 in both forms (the kernel lets any user make that one device since 5.8). A directory that replaces the
/// lower ones carries <c>trusted.overlay.opaque</c> when root of the machine mounts, and <c>user.overlay.opaque</c>
/// under <c>userxattr</c> (inside a user namespace, where <c>trusted.*</c> can be neither set nor read). The kernel
/// reads only its own form's attribute, so each form has a store folder of its own and the two never share an entry.
/// </summary>
/// <param name="OpaqueAttribute">The extended attribute that marks a directory opaque (value <c>y</c>).</param>
/// <param name="StoreVersion">The store's folder for entries in this form (<c>CACHE_DIR/layer-store/VERSION</c>).</param>
internal sealed record OverlayForm(string OpaqueAttribute, string StoreVersion)
{
    /// <summary>The form of a mount made by root of the machine (the store's first layout, kept as it was).</summary>
    public static readonly OverlayForm Trusted = new("trusted.overlay.opaque", "v1");

    /// <summary>The form of a mount made inside a user namespace with <c>userxattr</c>.</summary>
    public static readonly OverlayForm UserXattr = new("user.overlay.opaque", "v1-userxattr");

    /// <summary>Every form, in the order <c>cache ls</c> shows their stores.</summary>
    public static IReadOnlyList<OverlayForm> All { get; } = [Trusted, UserXattr];

    /// <summary>The form the lower folders of a mount on <paramref name="rung"/> must have.</summary>
    public static OverlayForm Of(OverlayRung rung) => rung == OverlayRung.KernelOverlayInUserNamespace ? UserXattr : Trusted;
}
