namespace Kaniko.Engine.Layers;

/// <summary>
/// A layer that adds behaviour around another (a cache, a different media type) over the same blob. Code that
/// needs to know where the bytes really come from (a registry push mounting a base layer from its repository)
/// looks through the chain of <see cref="Inner"/> layers.
/// </summary>
internal interface IWrappedLayer : ILayer
{
    /// <summary>The layer this one wraps; same digest, same diff id.</summary>
    ILayer Inner { get; }
}

/// <summary>Helpers for <see cref="IWrappedLayer"/>.</summary>
internal static class WrappedLayers
{
    /// <summary>The first layer of type <typeparamref name="T"/> in the chain starting at <paramref name="layer"/>, or <c>null</c>.</summary>
    public static T? Find<T>(ILayer layer)
        where T : class, ILayer
    {
        for (var current = layer; current is not null; current = (current as IWrappedLayer)?.Inner)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }
}
