using System.Diagnostics.CodeAnalysis;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Planning;

/// <summary>
/// The variables a stage's instructions are expanded with. As in BuildKit's converter, <c>ENV</c> and <c>ARG</c>
/// (with a value) write to one environment and the later write wins: an <c>ENV</c> after an <c>ARG</c> overrides it,
/// and an <c>ARG</c> given a value after an <c>ENV</c> overrides that in expansion (not in the image config).
/// A stage built on an earlier stage starts with that stage's variables. Each variable also records whether its value
/// came from a build argument (directly or through another variable), so what is printed can leave it out.
/// </summary>
internal sealed class StageVariables : IVariableSource
{
    private readonly List<KeyValuePair<string, string>> _environment;
    private readonly List<KeyValuePair<string, string>> _args;
    private readonly HashSet<string> _sensitive;

    internal StageVariables()
    {
        _environment = [];
        _args = [];
        _sensitive = new HashSet<string>(StringComparer.Ordinal);
    }

    internal StageVariables(StageVariables other)
    {
        _environment = [.. other._environment];
        _args = [.. other._args];
        _sensitive = new HashSet<string>(other._sensitive, StringComparer.Ordinal);
    }

    /// <summary>The ARG values in scope, in declaration order.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Args => _args;

    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value) => TryGet(_environment, name, out value);

    /// <summary>Whether the variable's value in expansion came from a build argument.</summary>
    internal bool IsSensitive(string name) => _sensitive.Contains(name);

    internal void SetEnv(string name, string value, bool sensitive)
    {
        Set(_environment, name, value);
        Mark(name, sensitive);
    }

    internal void SetArg(string name, string value, bool sensitive)
    {
        Set(_args, name, value);
        Set(_environment, name, value);
        Mark(name, sensitive);
    }

    private void Mark(string name, bool sensitive)
    {
        if (sensitive)
        {
            _sensitive.Add(name);
        }
        else
        {
            _sensitive.Remove(name);
        }
    }

    private static void Set(List<KeyValuePair<string, string>> list, string name, string value)
    {
        var index = list.FindIndex(kv => kv.Key == name);
        if (index >= 0)
        {
            list[index] = new(name, value);
        }
        else
        {
            list.Add(new(name, value));
        }
    }

    private static bool TryGet(List<KeyValuePair<string, string>> list, string name, [MaybeNullWhen(false)] out string value)
    {
        foreach (var kv in list)
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
