using System.Diagnostics.CodeAnalysis;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Planning;

/// <summary>
/// A view of a step's variables that notes whether an expansion read a variable holding a build argument's value.
/// Such a step is shown as written (or an <c>ARG</c> by its names only), so the value stays out of the log.
/// A child view (<see cref="Child"/>) reports to its parent too: one declaration of an <c>ARG</c> can be judged
/// alone while the whole step still knows it touched a value.
/// </summary>
internal sealed class SensitiveLookups : IVariableSource
{
    private readonly IVariableSource _inner;
    private readonly Func<string, bool> _isSensitive;
    private readonly SensitiveLookups? _parent;

    internal SensitiveLookups(IVariableSource inner, Func<string, bool> isSensitive)
        : this(inner, isSensitive, null)
    {
    }

    private SensitiveLookups(IVariableSource inner, Func<string, bool> isSensitive, SensitiveLookups? parent)
    {
        _inner = inner;
        _isSensitive = isSensitive;
        _parent = parent;
    }

    /// <summary>Whether a lookup found a variable whose value came from a build argument.</summary>
    internal bool Touched { get; private set; }

    /// <summary>A fresh view over the same variables that also marks this one when touched.</summary>
    internal SensitiveLookups Child() => new(_inner, _isSensitive, this);

    public bool TryGetValue(string name, [MaybeNullWhen(false)] out string value)
    {
        if (!_inner.TryGetValue(name, out value))
        {
            return false;
        }

        if (_isSensitive(name))
        {
            MarkTouched();
        }

        return true;
    }

    private void MarkTouched()
    {
        Touched = true;
        _parent?.MarkTouched();
    }
}
