using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// Writes OCI documents. System.Text.Json's default encoder escapes <c>+</c> (so media types would come out as
/// <c>…v1\u002Bjson</c>); documents written here escape only what JSON requires, as registries and Go tools do
/// for media types.
/// </summary>
internal static class OciJson
{
    /// <summary>Compact output with minimal escaping; the options every document of this tool is written with.</summary>
    public static JsonWriterOptions WriterOptions { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Serialises <paramref name="value"/> with <paramref name="typeInfo"/> and <see cref="WriterOptions"/> (or <paramref name="options"/>).</summary>
    public static byte[] SerializeToUtf8Bytes<T>(T value, JsonTypeInfo<T> typeInfo, JsonWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, options ?? WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return buffer.ToArray();
    }
}
