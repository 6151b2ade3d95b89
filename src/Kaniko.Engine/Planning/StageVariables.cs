using System.Diagnostics.CodeAnalysis;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Planning;

/// <summary>
/// The variables a stage's instructions are expanded with: its <c>ENV</c> values, then its <c>ARG</c> values.
/// An <c>ENV</c> always wins over an <c>ARG</c> of the same name, as the Dockerfile reference specifies.
/// A stage built on an earlier stage starts with that stage's variables.
/// </summary>
internal sealed class StageVariables : IVariableSource
{
    private readonly List<KeyValuePair<string, string>> _env;
    private readonly List<KeyValuePair<string, string>> _args;

    internal StageVariables()
    {
        _env = [];
        _args = [];
    }

    internal StageVariables(StageVariables other)
    {
        _env = [.. other._env];
        _args = [.. other._args];
    }

    /// <summary>The ARG values in scope, in declaration order.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Args => _args;

    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value) =>
        TryGet(_env, name, out value) || TryGet(_args, name, out value);

    internal void SetEnv(string name, string value) => Set(_env, name, value);

    internal void SetArg(string name, string value) => Set(_args, name, value);

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
