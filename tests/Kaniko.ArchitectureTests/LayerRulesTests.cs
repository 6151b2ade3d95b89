using System.Reflection;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// Each rule of <see cref="LayerRules"/> run over the fixture assembly (tests/Kaniko.ArchitectureTests.Fixture), which
/// breaks every rule once: the rules the engine passes are shown to be able to fail.
/// </summary>
public class LayerRulesTests
{
    private static readonly Assembly Fixture = typeof(Fixture.Oci.Thing).Assembly;

    private static readonly LayerRules Rules = new(Fixture, ["Fixture.Diagnostics", "Fixture.Oci", "Fixture.Empty", "Fixture.Facade"]);

    [Fact]
    public void A_reference_to_a_later_layer_is_caught() =>
        Assert.Equal(["Fixture.Diagnostics.ReachesForward references Fixture.Oci or Fixture.Empty or Fixture.Facade"], Rules.ForwardReferences("Fixture.Diagnostics"));

    [Fact]
    public void A_forbidden_dependency_is_caught() =>
        Assert.Single(Rules.Dependencies("Fixture.Diagnostics", ["Fixture.Oci"]));

    [Fact]
    public void A_rule_over_an_empty_layer_fails_instead_of_passing() =>
        Assert.Equal(["Fixture.Empty has no types: the rule checks nothing"], Rules.Dependencies("Fixture.Empty", ["Fixture.Oci"]));

    [Fact]
    public void A_type_in_an_unlisted_namespace_is_caught()
    {
        var strays = Rules.StrayTypes();

        Assert.Contains("Fixture.Stray.Lost lives in Fixture.Stray, which is no layer", strays);
        Assert.Contains(strays, s => s.StartsWith("Fixture.Host.Program ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_listed_namespace_without_types_is_caught() => Assert.Equal(["Fixture.Empty has no types"], Rules.EmptyLayers());

    [Fact]
    public void A_host_that_reaches_past_the_facade_is_caught()
    {
        // The fixture's host lives in the fixture assembly itself; the rule reads only its references.
        var hostRules = new LayerRules(Fixture, ["Fixture.Diagnostics", "Fixture.Oci", "Fixture.Facade"]);

        var violations = hostRules.HostReferencesOutside(Fixture, ["Fixture.Facade"]);

        Assert.Contains("Fixture.Host.Program reaches past Fixture.Facade", violations);
    }

    [Fact]
    public void Internals_opened_to_a_host_are_caught() =>
        Assert.Equal(["Kaniko.ArchitectureTests.Fixture opens its internals to Fixture.Host"], Rules.InternalsOpenedTo(["Fixture.Host", "Other"]));
}
