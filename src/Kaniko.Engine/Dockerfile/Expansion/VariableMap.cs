using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// An ordered set of variables with case-sensitive names, such as the environment or the build arguments of a stage.
/// Setting a name that is already present replaces its value and keeps its place, as an image's <c>Env</c> list does.
/// </summary>
internal sealed class VariableMap : IVariableSource, IEnumerable<KeyValuePair<string, string>>
{
    private readonly OrderedDictionary<string, string> _entries;

    /// <summary>Creates an empty map.</summary>
    public VariableMap()
    {
        _entries = new OrderedDictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Creates a map holding <paramref name="variables"/> in order; a repeated name keeps its first place and its last value.</summary>
    public VariableMap(IEnumerable<KeyValuePair<string, string>> variables)
        : this()
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var (name, value) in variables)
        {
            Set(name, value);
        }
    }

    /// <summary>Creates an independent copy of <paramref name="other"/>.</summary>
    public VariableMap(VariableMap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _entries = new OrderedDictionary<string, string>(other._entries, StringComparer.Ordinal);
    }

    /// <summary>The number of variables.</summary>
    public int Count => _entries.Count;

    /// <summary>The names, in the order they were first set.</summary>
    public IReadOnlyList<string> Names => _entries.Keys;

    /// <summary>The value of <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The variable is not set.</exception>
    public string this[string name] => _entries[name];

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, keeping its place when it is already set.</summary>
    public void Set(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _entries[name] = value;
    }

    /// <summary>Removes <paramref name="name"/>; returns <c>false</c> when it was not set.</summary>
    public bool Remove(string name) => _entries.Remove(name);

    /// <summary>Whether <paramref name="name"/> is set (possibly to the empty string).</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <inheritdoc />
    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value) => _entries.TryGetValue(name, out value);

    /// <summary>Enumerates the variables in order.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
