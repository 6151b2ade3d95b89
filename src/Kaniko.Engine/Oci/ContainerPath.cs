namespace Kaniko.Engine.Oci;

/// <summary>
/// An absolute, cleaned path inside an image or container (<c>/</c>-separated on every host, never
/// <see cref="System.IO.Path"/>). Cleaning follows Go's <c>path.Clean</c>, which BuildKit applies to container paths:
/// repeated <c>/</c> collapse, <c>.</c> vanishes, <c>..</c> removes the previous element and stops at the root.
/// </summary>
internal readonly record struct ContainerPath : IComparable<ContainerPath>
{
    private readonly string? _value;

    private ContainerPath(string value) => _value = value;

    /// <summary>The root, <c>/</c>.</summary>
    public static ContainerPath Root { get; } = new("/");

    /// <summary>The path as text: starts with <c>/</c>, no trailing <c>/</c> except for the root.</summary>
    public string Value => _value ?? "/";

    /// <summary>Whether this is the root.</summary>
    public bool IsRoot => Value == "/";

    /// <summary>The last element (empty for the root).</summary>
    public string Name => Value[(Value.LastIndexOf('/') + 1)..];

    /// <summary>The directory holding this path (the root for the root itself).</summary>
    public ContainerPath Parent
    {
        get
        {
            var slash = Value.LastIndexOf('/');
            return slash <= 0 ? Root : new ContainerPath(Value[..slash]);
        }
    }

    /// <summary>Cleans <paramref name="path"/>, read from the root when it is relative.</summary>
    public static ContainerPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Root.Resolve(path);
    }

    /// <summary>
    /// Resolves <paramref name="path"/> against this directory: an absolute path replaces it, a relative one is
    /// appended; the result is cleaned. <c>..</c> never climbs above the root.
    /// </summary>
    public ContainerPath Resolve(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        if (!path.StartsWith('/'))
        {
            parts.AddRange(Value.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }

        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return new ContainerPath("/" + string.Join('/', parts));
    }

    /// <summary>The path of the element <paramref name="name"/> (or a relative path) below this one.</summary>
    public ContainerPath Append(string name) => Resolve(name.TrimStart('/'));

    /// <summary>Whether this path is <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsWithin(ContainerPath ancestor) =>
        ancestor.IsRoot || Value == ancestor.Value || Value.StartsWith(ancestor.Value + "/", StringComparison.Ordinal);

    /// <inheritdoc />
    public bool Equals(ContainerPath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <inheritdoc />
    public int CompareTo(ContainerPath other) => string.CompareOrdinal(Value, other.Value);

    /// <inheritdoc />
    public override string ToString() => Value;
}
