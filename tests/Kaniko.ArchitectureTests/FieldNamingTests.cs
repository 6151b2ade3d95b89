using System.Reflection;

namespace Kaniko.ArchitectureTests;

/// <summary>The field-naming rule holds in the engine and the hosts, and is shown to catch a misnamed field.</summary>
public class FieldNamingTests
{
    [Theory]
    [InlineData("Kaniko.Engine")]
    [InlineData("dotnet-kaniko")]
    [InlineData("Kaniko.Tasks")]
    public void Every_private_field_follows_the_naming_rule(string assembly) =>
        Assert.Empty(FieldNaming.Violations(Assembly.Load(assembly)));

    [Fact]
    public void A_misnamed_field_is_caught() =>
        Assert.Equal(
            ["Fixture.Stray.Misnamed._Cache", "Fixture.Stray.Misnamed.count", "Fixture.Stray.Misnamed.limit"],
            FieldNaming.Violations(typeof(Fixture.Oci.Thing).Assembly));
}
