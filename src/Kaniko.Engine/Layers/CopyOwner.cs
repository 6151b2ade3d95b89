using System.Globalization;

namespace Kaniko.Engine.Layers;

/// <summary>The owner given to copied entries.</summary>
/// <param name="Uid">The user id.</param>
/// <param name="Gid">The group id.</param>
internal readonly record struct CopyOwner(int Uid, int Gid)
{
    /// <summary><c>0:0</c>, what entries get without <c>--chown</c>.</summary>
    public static CopyOwner Root => default;

    /// <inheritdoc />
    public override string ToString() => Uid.ToString(CultureInfo.InvariantCulture) + ":" + Gid.ToString(CultureInfo.InvariantCulture);
}
