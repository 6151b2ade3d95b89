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
        "Kaniko.Engine.Compat",
        "Kaniko.Engine.Oci",
        "Kaniko.Engine.Context",
        "Kaniko.Engine.Dockerfile.Syntax",
        "Kaniko.Engine.Dockerfile.Expansion",
        "Kaniko.Engine.Dockerfile.Instructions",
        "Kaniko.Engine.Planning",
        "Kaniko.Engine.Layers",
        "Kaniko.Engine.Fetching",
        "Kaniko.Engine.Filesystem",
        "Kaniko.Engine.Context.Sources",
        "Kaniko.Engine.Storage",
        "Kaniko.Engine.Images",
        "Kaniko.Engine.Registry.Auth",
        "Kaniko.Engine.Registry",
        "Kaniko.Engine.Attestations",
        "Kaniko.Engine.Caching",
        "Kaniko.Engine.Execution",
        "Kaniko.Engine.Execution.Sandbox",
        "Kaniko.Engine.Execution.Copy",
        "Kaniko.Engine.Execution.Mounts",
        "Kaniko.Engine.Execution.Add",
        "Kaniko.Engine.Execution.Build",
        "Kaniko.Engine.Outputs",
        "Kaniko.Engine",
    ];

    /// <summary>The namespaces a host (<c>dotnet-kaniko</c>, <c>Kaniko.Tasks</c>) may use: the facade and the value types under it.</summary>
    public static readonly string[] HostFacing = ["Kaniko.Engine", "Kaniko.Engine.Oci", "Kaniko.Engine.Diagnostics"];

    private static readonly Assembly Engine = typeof(KanikoException).Assembly;

    /// <summary>
    /// The engine's rules. The generated message table <c>Kaniko.Engine.Strings</c> is shared by every layer, so it
    /// counts as part of the foundation even though it sits in the root namespace.
    /// </summary>
    internal static readonly LayerRules Rules = new(Engine, Order, new Dictionary<string, string> { ["Kaniko.Engine.Strings"] = "Kaniko.Engine.Diagnostics" });

    public static TheoryData<string> Layers => [.. Order];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_namespace_references_only_earlier_namespaces(string layer) => Assert.Empty(Rules.ForwardReferences(layer));

    [Fact]
    public void The_Dockerfile_namespaces_depend_only_on_diagnostics_and_the_OCI_model()
    {
        foreach (var layer in Order.Where(n => n.StartsWith("Kaniko.Engine.Dockerfile.", StringComparison.Ordinal)))
        {
            Assert.Empty(Rules.Dependencies(layer, ["Kaniko.Engine.Context"]));
        }

        // The planner binds instructions to expansion through a delegate; instructions never call the lexer.
        Assert.Empty(Rules.Dependencies("Kaniko.Engine.Dockerfile.Instructions", ["Kaniko.Engine.Dockerfile.Expansion"]));
    }

    [Theory]
    [InlineData("Kaniko.Engine.Layers")]
    [InlineData("Kaniko.Engine.Images")]
    [InlineData("Kaniko.Engine.Registry.Auth")]
    [InlineData("Kaniko.Engine.Registry")]
    [InlineData("Kaniko.Engine.Outputs")]
    public void The_OCI_library_knows_nothing_of_Dockerfiles(string layer) =>
        Assert.Empty(Rules.Dependencies(layer, [.. Order.Where(IsBuildLayer)]));

    [Fact]
    public void Every_engine_type_lives_in_a_known_namespace() => Assert.Empty(Rules.StrayTypes());

    [Fact]
    public void Every_listed_namespace_holds_types() => Assert.Empty(Rules.EmptyLayers());

    [Theory]
    [InlineData("dotnet-kaniko")]
    [InlineData("Kaniko.Tasks")]
    public void A_host_uses_only_the_facade(string host) =>
        Assert.Empty(Rules.HostReferencesOutside(Assembly.Load(host), HostFacing));

    [Fact]
    public void The_engine_opens_its_internals_to_no_host() =>
        Assert.Empty(Rules.InternalsOpenedTo(["dotnet-kaniko", "Kaniko.Tasks"]));

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

    /// <summary>The namespaces of the build context, the Dockerfile frontend, the plan and its execution, which the OCI library must not know.</summary>
    private static bool IsBuildLayer(string layer) =>
        layer is "Kaniko.Engine.Context" or "Kaniko.Engine.Context.Sources" or "Kaniko.Engine.Planning"
        || layer.StartsWith("Kaniko.Engine.Dockerfile.", StringComparison.Ordinal)
        || layer.StartsWith("Kaniko.Engine.Execution", StringComparison.Ordinal);

    private static string Describe(NetArchTest.Rules.TestResult result) =>
        result.IsSuccessful ? "" : "offending types: " + string.Join(", ", result.FailingTypeNames ?? []);
}
