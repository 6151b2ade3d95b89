using System.Diagnostics.CodeAnalysis;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Planning;

/// <summary>
/// The variables a stage's instructions are expanded with. As in BuildKit's converter, <c>ENV</c> and <c>ARG</c>
/// (with a value) write to one environment and the later write wins: an <c>ENV</c> after an <c>ARG</c> overrides it,
/// and an <c>ARG</c> given a value after an <c>ENV</c> overrides that in expansion (not in the image config).
/// A stage built on an earlier stage starts with that stage's variables.
/// </summary>
internal sealed class StageVariables : IVariableSource
{
    private readonly List<KeyValuePair<string, string>> _environment;
    private readonly List<KeyValuePair<string, string>> _args;

    internal StageVariables()
    {
        _environment = [];
        _args = [];
    }

    internal StageVariables(StageVariables other)
    {
        _environment = [.. other._environment];
        _args = [.. other._args];
    }

    /// <summary>The ARG values in scope, in declaration order.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Args => _args;

    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value) => TryGet(_environment, name, out value);

    internal void SetEnv(string name, string value) => Set(_environment, name, value);

    internal void SetArg(string name, string value)
    {
        Set(_args, name, value);
        Set(_environment, name, value);
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
