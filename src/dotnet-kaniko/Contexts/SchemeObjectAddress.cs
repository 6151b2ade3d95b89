using Kaniko.Engine;


namespace Kaniko.Cli.Contexts;

/// <summary>
/// A bucket and object name written as <c>SCHEME://BUCKET/OBJECT</c>, the form kaniko takes for S3 (<c>s3://</c>)
/// and Google Cloud Storage (<c>gs://</c>) contexts. The object name is kept as written, slashes included.
/// </summary>
/// <param name="Bucket">The bucket name.</param>
/// <param name="ObjectName">The object's key inside the bucket.</param>
internal sealed record SchemeObjectAddress(string Bucket, string ObjectName)
{
    /// <summary>Whether <paramref name="contextArgument"/> starts with <paramref name="scheme"/> and <c>://</c>.</summary>
    internal static bool HasScheme(string contextArgument, string scheme) =>
        contextArgument.Length > scheme.Length + 3
        && contextArgument.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
        && string.CompareOrdinal(contextArgument, scheme.Length, "://", 0, 3) == 0;

    /// <summary>Splits <paramref name="contextArgument"/>; throws KANIKO2054 when the bucket or the object is missing.</summary>
    internal static SchemeObjectAddress Parse(string contextArgument, string scheme, string storeName)
    {
        if (!HasScheme(contextArgument, scheme))
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, storeName, $"expected {scheme}://BUCKET/OBJECT");
        }

        var rest = contextArgument[(scheme.Length + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var objectName = slash < 0 ? string.Empty : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, storeName, "the bucket name is empty");
        }

        if (objectName.Length == 0 || objectName.EndsWith('/'))
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, storeName, "name the archive object (a .tar or .tar.gz), not a bucket or folder");
        }

        if (bucket.Contains('?', StringComparison.Ordinal) || bucket.Contains('#', StringComparison.Ordinal))
        {
            throw RemoteContextErrors.InvalidAddress(contextArgument, storeName, "the bucket name has a '?' or '#'");
        }

        return new SchemeObjectAddress(bucket, objectName);
    }
}
