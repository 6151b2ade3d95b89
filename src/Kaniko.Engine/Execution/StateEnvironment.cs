using System.Diagnostics.CodeAnalysis;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The environment of a stage's build state, as BuildKit's LLB state keeps it: the base image's <c>Env</c>, then
/// every <c>ENV</c> and every <c>ARG</c> that has a value, in order; a later write replaces an earlier one and
/// moves it to the end.
/// <c>RUN</c> steps get it (so arguments reach them without being stored), and variables expand against it.
/// </summary>
internal sealed class StateEnvironment : IVariableSource
{
    private readonly List<KeyValuePair<string, string>> _entries;

    public StateEnvironment() => _entries = [];

    public StateEnvironment(StateEnvironment other) => _entries = [.. other._entries];

    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entries;

    public void Set(string name, string value)
    {
        // LLB's EnvList lists a variable where it was last written.
        _entries.RemoveAll(kv => kv.Key == name);
        _entries.Add(new(name, value));
    }

    /// <summary>Adds <c>NAME=value</c> entries of an image's <c>Env</c> (an entry without <c>=</c> has an empty value).</summary>
    public void SetAll(IEnumerable<string> env)
    {
        foreach (var entry in env)
        {
            var (name, value) = EnvEntry.Split(entry);
            Set(name, value);
        }
    }

    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value)
    {
        foreach (var kv in _entries)
        {
            if (kv.Key == name)
            {
                value = kv.Value;
                return true;
            }
        }

        value = null;
        return false;
    }
}

/// <summary>The <c>NAME=value</c> entries of an image's <c>Env</c>.</summary>
internal static class EnvEntry
{
    /// <summary>Splits at the first <c>=</c>, as BuildKit's <c>parseKeyValue</c>.</summary>
    public static (string Name, string Value) Split(string entry)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (entry, "") : (entry[..equals], entry[(equals + 1)..]);
    }

    /// <summary>
    /// Sets <paramref name="name"/> in <paramref name="env"/> as BuildKit's <c>addEnv</c>: the first entry with that
    /// name is replaced where it stands, otherwise the entry is appended. Names compare exactly (Linux).
    /// </summary>
    public static IReadOnlyList<string> With(IReadOnlyList<string>? env, string name, string value)
    {
        var result = env is null ? new List<string>() : new List<string>(env);
        var entry = name + "=" + value;
        var index = result.FindIndex(e => Split(e).Name == name);
        if (index >= 0)
        {
            result[index] = entry;
        }
        else
        {
            result.Add(entry);
        }

        return result;
    }
}
