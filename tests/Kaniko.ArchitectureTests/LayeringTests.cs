using System.Reflection;
using Kaniko.Engine.Diagnostics;
using NetArchTest.Rules;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// The engine's namespaces form a pipeline (context → parse → plan → execute → layers → image → outputs) and may only
/// reference namespaces earlier in it. These tests keep that true as the code grows, the way go-containerregistry's
/// depcheck does. The order is the one in the design notes ("Proposed solution layout").
/// </summary>
public class LayeringTests
{
    /// <summary>The engine namespaces in dependency order: each may reference only those before it.</summary>
    public static readonly string[] Order =
    [
        "Kaniko.Engine.Diagnostics",
        "Kaniko.Engine.Oci",
        "Kaniko.Engine.Context",
        "Kaniko.Engine.Dockerfile.Syntax",
        "Kaniko.Engine.Dockerfile.Expansion",
        "Kaniko.Engine.Dockerfile.Instructions",
        "Kaniko.Engine.Planning",
        "Kaniko.Engine.Layers",
        "Kaniko.Engine.Filesystem",
        "Kaniko.Engine.Storage",
        "Kaniko.Engine.Images",
        "Kaniko.Engine.Registry.Auth",
        "Kaniko.Engine.Registry",
        "Kaniko.Engine.Caching",
        "Kaniko.Engine.Execution",
        "Kaniko.Engine.Outputs",
        "Kaniko.Engine",
    ];

    private static readonly Assembly Engine = typeof(KanikoException).Assembly;

    public static TheoryData<string> Layers => [.. Order];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_namespace_references_only_earlier_namespaces(string layer)
    {
        var later = Order.SkipWhile(n => n != layer).Skip(1).ToArray();
        AssertNoDependency(layer, later);
    }

    [Fact]
    public void The_Dockerfile_namespaces_depend_only_on_diagnostics_and_the_OCI_model()
    {
        foreach (var layer in Order.Where(n => n.StartsWith("Kaniko.Engine.Dockerfile.", StringComparison.Ordinal)))
        {
            AssertNoDependency(layer, ["Kaniko.Engine.Context"]);
        }

        // The planner binds instructions to expansion through a delegate; instructions never call the lexer.
        AssertNoDependency("Kaniko.Engine.Dockerfile.Instructions", ["Kaniko.Engine.Dockerfile.Expansion"]);
    }

    [Theory]
    [InlineData("Kaniko.Engine.Layers")]
    [InlineData("Kaniko.Engine.Images")]
    [InlineData("Kaniko.Engine.Registry.Auth")]
    [InlineData("Kaniko.Engine.Registry")]
    [InlineData("Kaniko.Engine.Outputs")]
    public void The_OCI_library_knows_nothing_of_Dockerfiles(string layer) =>
        AssertNoDependency(layer,
        [
            "Kaniko.Engine.Context",
            "Kaniko.Engine.Dockerfile.Syntax",
            "Kaniko.Engine.Dockerfile.Expansion",
            "Kaniko.Engine.Dockerfile.Instructions",
            "Kaniko.Engine.Planning",
            "Kaniko.Engine.Execution",
        ]);

    [Fact]
    public void The_engine_never_references_a_host()
    {
        var result = Types.InAssembly(Engine).ShouldNot()
            .HaveDependencyOnAny("System.CommandLine", "Spectre.Console", "Microsoft.Build", "Kaniko.Cli", "Kaniko.Tasks")
            .GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void The_engine_does_not_write_to_the_console()
    {
        // Hosts render events; a Console call inside the engine would bypass them.
        var result = Types.InAssembly(Engine).ShouldNot().HaveDependencyOn("System.Console").GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Every_engine_type_lives_in_a_known_namespace()
    {
        var strays = Engine.GetTypes()
            .Where(t => t.Namespace is not null && !IsCompilerGenerated(t))
            .Where(t => LayerOf(t) is null)
            .Select(t => t.FullName)
            .ToArray();

        Assert.Empty(strays);
    }

    private static void AssertNoDependency(string layer, IReadOnlyCollection<string> forbiddenLayers)
    {
        var forbiddenTypes = Engine.GetTypes()
            .Where(t => forbiddenLayers.Contains(LayerOf(t)))
            .Select(t => t.FullName!)
            .ToArray();
        var subjects = Engine.GetTypes().Where(t => LayerOf(t) == layer).ToArray();
        if (forbiddenTypes.Length == 0 || subjects.Length == 0)
        {
            return;
        }

        var offenders = subjects
            .Where(subject => !Types.InAssembly(Engine).That().HaveName(subject.Name).And().ResideInNamespace(subject.Namespace)
                .ShouldNot().HaveDependencyOnAny(forbiddenTypes).GetResult().IsSuccessful)
            .Select(subject => subject.FullName)
            .ToArray();

        Assert.True(offenders.Length == 0, $"{layer} must not reference {string.Join(", ", forbiddenLayers)}; offenders: {string.Join(", ", offenders)}");
    }

    /// <summary>
    /// The layer of a type. The generated message table <c>Kaniko.Engine.Strings</c> is shared by every layer, so it
    /// counts as part of the foundation even though it sits in the root namespace.
    /// </summary>
    internal static string? LayerOf(Type type) =>
        type.FullName == "Kaniko.Engine.Strings" ? "Kaniko.Engine.Diagnostics"
        : type.Namespace is null ? null
        : LayerOf(type.Namespace);

    /// <summary>The layer a namespace belongs to: the longest entry of <see cref="Order"/> that it equals or lies below.</summary>
    internal static string? LayerOf(string ns) =>
        Order.Where(layer => ns == layer || ns.StartsWith(layer + ".", StringComparison.Ordinal))
            .OrderByDescending(layer => layer.Length)
            .FirstOrDefault();

    private static bool IsCompilerGenerated(Type type) =>
        type.Name.StartsWith('<') || type.FullName?.Contains("<", StringComparison.Ordinal) == true;

    private static string Describe(NetArchTest.Rules.TestResult result) =>
        result.IsSuccessful ? "" : "offending types: " + string.Join(", ", result.FailingTypeNames ?? []);
}
