using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// A JSON document of the OCI model that <see cref="RawJson{T}"/> can parse and serialise through the
/// source-generated <see cref="OciJsonContext"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface IOciDocument<TSelf>
    where TSelf : class, IOciDocument<TSelf>
{
    /// <summary>The source-generated serialisation metadata for the type.</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }

    /// <summary>The media type the document has when it has no other (used in messages and for validation).</summary>
    static abstract MediaType DocumentMediaType { get; }
}
