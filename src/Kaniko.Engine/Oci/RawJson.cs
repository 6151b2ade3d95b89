using System.Globalization;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// A JSON document together with the exact bytes it was read from (or serialised to once) and the digest of those
/// bytes. A manifest's identity is the hash of its bytes, and re-serialising a parsed document rarely gives the
/// same bytes back (key order, spacing, escapes), so anything that hashes, pushes or stores a document uses
/// <see cref="Bytes"/>, never a fresh serialisation of <see cref="Value"/>.
/// </summary>
/// <typeparam name="T">The parsed view: <see cref="ImageManifest"/>, <see cref="ImageIndex"/>, <see cref="ImageConfigFile"/>, ...</typeparam>
internal sealed class RawJson<T>
    where T : class, IOciDocument<T>
{
    private readonly byte[] _bytes;

    private RawJson(byte[] bytes, T value)
    {
        _bytes = bytes;
        Value = value;
        Digest = Digest.Compute(bytes);
    }

    /// <summary>The exact bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The parsed document. Treat it as read-only: changing it would not change <see cref="Bytes"/>.</summary>
    public T Value { get; }

    /// <summary>The SHA-256 digest of <see cref="Bytes"/>.</summary>
    public Digest Digest { get; }

    /// <summary>The length of <see cref="Bytes"/>.</summary>
    public long Size => _bytes.LongLength;

    /// <summary>
    /// Parses a copy of <paramref name="json"/>. Throws <c>KANIKO3006</c> when it is not JSON of the expected shape
    /// (including a malformed digest). It does not check the spec's rules (the tests do, with <c>tests/Kaniko.Testing/OciDocumentValidator.cs</c>).
    /// </summary>
    /// <param name="json">The document's bytes.</param>
    /// <param name="source">What the bytes are, for messages, for example <c>manifest sha256:…</c> or a file name.</param>
    public static RawJson<T> Parse(ReadOnlySpan<byte> json, string? source = null)
    {
        var copy = json.ToArray();
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(copy, T.JsonTypeInfo);
        }
        catch (JsonException error)
        {
            throw Malformed(source, error.Message, error);
        }

        return value is null ? throw Malformed(source, "the document is the JSON literal null", null) : new RawJson<T>(copy, value);
    }

    /// <summary>Serialises <paramref name="value"/> once (compact, nulls omitted) and keeps those bytes.</summary>
    public static RawJson<T> Serialize(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new RawJson<T>(OciJson.SerializeToUtf8Bytes(value, T.JsonTypeInfo), value);
    }

    /// <summary>A descriptor of these bytes, as a parent document lists them.</summary>
    public Descriptor ToDescriptor(MediaType mediaType) => new() { MediaType = mediaType, Digest = Digest, Size = Size };

    /// <summary>The bytes as UTF-8 text, for messages and debugging.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(_bytes);

    private static KanikoException Malformed(string? source, string reason, Exception? inner) => new(
        DiagnosticCodes.MalformedDocument,
        string.Format(CultureInfo.InvariantCulture, Strings.MalformedDocument, source ?? "the document", T.DocumentMediaType, reason),
        innerException: inner);
}
