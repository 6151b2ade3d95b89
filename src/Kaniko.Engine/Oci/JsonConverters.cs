using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kaniko.Engine.Oci;

/// <summary>Reads and writes a <see cref="Digest"/> as its string; a malformed digest is a JSON error.</summary>
internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    /// <inheritdoc />
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("a digest must be a JSON string");
        }

        var text = reader.GetString()!;
        return Digest.TryParse(text, out var digest, out var reason)
            ? digest
            : throw new JsonException($"invalid digest \"{text}\": {reason}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}

/// <summary>Reads and writes a <see cref="MediaType"/> as its string, without validating it.</summary>
internal sealed class MediaTypeJsonConverter : JsonConverter<MediaType>
{
    /// <inheritdoc />
    public override MediaType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? new MediaType(reader.GetString()!)
            : throw new JsonException("a media type must be a JSON string");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, MediaType value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Value);
    }
}

/// <summary>
/// Reads a JSON object of strings into a dictionary sorted by key (ordinal) and writes it back in that order.
/// Go's encoder writes map keys sorted, so documents built here serialise the way registries and other tools
/// expect, and always to the same bytes.
/// </summary>
internal sealed class SortedStringMapConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object of strings");
        }

        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new JsonException($"the value of \"{key}\" must be a JSON string");
        }

        return map;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (key, item) in value.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, item);
        }

        writer.WriteEndObject();
    }
}

/// <summary>
/// Reads Docker's "set" encoding, a JSON object whose keys are the members and whose values are empty objects
/// (<c>"ExposedPorts": {"80/tcp": {}}</c>), into a sorted set, and writes it back the same way.
/// </summary>
internal sealed class JsonObjectKeySetConverter : JsonConverter<IReadOnlySet<string>>
{
    /// <inheritdoc />
    public override IReadOnlySet<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a JSON object whose values are objects");
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"the value of \"{key}\" must be a JSON object");
            }

            // The values carry nothing in any image seen in practice; the schema only asks for an object.
            reader.Skip();
            set.Add(key);
        }

        return set;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlySet<string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var key in value.Order(StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
