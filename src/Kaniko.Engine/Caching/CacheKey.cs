using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kaniko.Engine.Caching;

/// <summary>
/// The identity of one layer-making build step in the layer cache: the lower-case hex sha256 of a canonical,
/// versioned text (<see cref="CacheKeyBuilder"/>). It is also the tag of the step's image in a cache repository.
/// </summary>
/// <param name="Value">64 lower-case hex digits.</param>
internal readonly record struct CacheKey(string Value)
{
    /// <summary>Whether <paramref name="value"/> has the shape of a key (64 lower-case hex digits).</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 64 } && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>The first 12 digits, for messages.</summary>
    public string Short => Value.Length > 12 ? Value[..12] : Value;
}

/// <summary>
/// Builds a <see cref="CacheKey"/> from named fields in the order they are added. The text starts with
/// <see cref="Version"/> and gives each value with its length, so no value (a build argument holding a newline, a
/// file name holding <c>=</c>) can be mistaken for another field. Change <see cref="Version"/> whenever what a field
/// means changes: old entries then simply stop matching.
/// </summary>
internal sealed class CacheKeyBuilder
{
    /// <summary>The first line of every key's text.</summary>
    public const string Version = "kaniko-dotnet layer cache v1";

    private readonly StringBuilder _text = new StringBuilder(Version).Append('\n');

    /// <summary>The canonical text so far (what the key hashes); useful to compare two keys that differ.</summary>
    public string Text => _text.ToString();

    /// <summary>Adds one field; <c>null</c> and the empty string are told apart.</summary>
    public CacheKeyBuilder Add(string field, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        if (field.Any(c => c is ' ' or '\n'))
        {
            throw new ArgumentException("a cache key field name holds no space or newline: " + field, nameof(field));
        }

        _text.Append(field);
        if (value is null)
        {
            _text.Append(" -\n");
        }
        else
        {
            _text.Append(' ').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
        }

        return this;
    }

    /// <summary>Adds a list of pairs under one field, in the order given (order can matter, as for <c>ENV</c>).</summary>
    public CacheKeyBuilder Add(string field, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var list = pairs.ToList();
        Add(field, list.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in list)
        {
            Add(field + ".name", name);
            Add(field + ".value", value);
        }

        return this;
    }

    /// <summary>Adds a list of strings under one field, in the order given.</summary>
    public CacheKeyBuilder Add(string field, IEnumerable<string>? values)
    {
        if (values is null)
        {
            return Add(field, (string?)null);
        }

        var list = values.ToList();
        Add(field, list.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var value in list)
        {
            Add(field + ".item", value);
        }

        return this;
    }

    /// <summary>The key of the text built so far.</summary>
    public CacheKey Build() => new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString()))));
}
