using System.Reflection;
using System.Runtime.CompilerServices;
using NetArchTest.Rules;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// The architecture rules over one assembly whose namespaces form ordered layers. Each rule returns what breaks it
/// (empty when it holds) instead of asserting, so the same rule runs over the engine, where it must hold, and over
/// the fixture assembly, where it must fail: a rule that cannot fail proves nothing.
/// </summary>
/// <param name="assembly">The assembly whose types are checked.</param>
/// <param name="order">The layers (namespaces) in dependency order: each may reference only those before it.</param>
/// <param name="sharedTypes">Types outside any layer's namespace that count as part of a layer (full name to layer).</param>
internal sealed class LayerRules(Assembly assembly, IReadOnlyList<string> order, IReadOnlyDictionary<string, string>? sharedTypes = null)
{
    private readonly Type[] _types = [.. assembly.GetTypes().Where(t => t.Namespace is not null && !IsCompilerGenerated(t))];

    /// <summary>The layer of a type: its entry in <paramref name="sharedTypes"/>, else the layer of its namespace.</summary>
    internal string? LayerOf(Type type) =>
        type.FullName is { } name && sharedTypes?.TryGetValue(name, out var shared) == true ? shared
        : type.Namespace is null ? null
        : LayerOf(type.Namespace);

    /// <summary>
    /// The layer a namespace is: the entry of the order it equals. A namespace below a layer is not part of it (the
    /// facade <c>Kaniko.Engine</c> lies above every namespace), so each namespace must be listed itself.
    /// </summary>
    internal string? LayerOf(string ns) => order.Contains(ns) ? ns : null;

    /// <summary>Types of <paramref name="layer"/> that reference a layer after it.</summary>
    internal IReadOnlyList<string> ForwardReferences(string layer) =>
        Dependencies(layer, [.. order.SkipWhile(n => n != layer).Skip(1)]);

    /// <summary>
    /// Types of <paramref name="layer"/> that reference any of <paramref name="forbiddenLayers"/>. A rule over a
    /// layer with no types says so as a violation: it would otherwise pass without checking anything.
    /// </summary>
    internal IReadOnlyList<string> Dependencies(string layer, IReadOnlyCollection<string> forbiddenLayers)
    {
        var subjects = _types.Where(t => LayerOf(t) == layer).ToArray();
        if (subjects.Length == 0)
        {
            return [$"{layer} has no types: the rule checks nothing"];
        }

        var forbiddenTypes = _types.Where(t => LayerOf(t) is { } l && forbiddenLayers.Contains(l)).Select(t => t.FullName!).ToArray();
        if (forbiddenTypes.Length == 0)
        {
            return [];
        }

        return [.. subjects
            .Where(subject => !Types.InAssembly(assembly).That().HaveName(subject.Name).And().ResideInNamespace(subject.Namespace)
                .ShouldNot().HaveDependencyOnAny(forbiddenTypes).GetResult().IsSuccessful)
            .Select(subject => $"{subject.FullName} references {string.Join(" or ", forbiddenLayers)}")];
    }

    /// <summary>Types in a namespace the order does not list.</summary>
    internal IReadOnlyList<string> StrayTypes() =>
        [.. _types.Where(t => LayerOf(t) is null).Select(t => $"{t.FullName} lives in {t.Namespace}, which is no layer")];

    /// <summary>Layers of the order that hold no type: a typo in the order, or a namespace that moved.</summary>
    internal IReadOnlyList<string> EmptyLayers() =>
        [.. order.Where(layer => !_types.Any(t => LayerOf(t) == layer)).Select(layer => $"{layer} has no types")];

    /// <summary>
    /// Types of <paramref name="host"/> that reference a type of <see cref="assembly"/> outside
    /// <paramref name="allowedLayers"/>: a host that reaches past the facade.
    /// </summary>
    internal IReadOnlyList<string> HostReferencesOutside(Assembly host, IReadOnlyCollection<string> allowedLayers)
    {
        var forbidden = _types
            .Where(t => LayerOf(t) is not { } layer || !allowedLayers.Contains(layer))
            .Select(t => t.FullName!)
            .ToArray();
        var result = Types.InAssembly(host).ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        return result.IsSuccessful ? [] : [.. (result.FailingTypeNames ?? []).Select(name => $"{name} reaches past {string.Join(", ", allowedLayers)}")];
    }

    /// <summary>The assemblies among <paramref name="hosts"/> that <see cref="assembly"/> opens its internals to.</summary>
    internal IReadOnlyList<string> InternalsOpenedTo(IEnumerable<string> hosts)
    {
        var friends = assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName.Split(',')[0].Trim()).ToHashSet(StringComparer.Ordinal);
        return [.. hosts.Where(friends.Contains).Select(host => $"{assembly.GetName().Name} opens its internals to {host}")];
    }

    private static bool IsCompilerGenerated(Type type) =>
        type.Name.StartsWith('<') || type.FullName?.Contains('<', StringComparison.Ordinal) == true
        || type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);
}
