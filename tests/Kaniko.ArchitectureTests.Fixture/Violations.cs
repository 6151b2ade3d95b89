// Each type here breaks one rule of LayerRules when the fixture's layers are, in order: Fixture.Diagnostics,
// Fixture.Oci, Fixture.Empty, Fixture.Facade. The tests in Kaniko.ArchitectureTests expect each rule to name it.

namespace Fixture.Diagnostics
{
    /// <summary>References a later layer (Oci): breaks the order.</summary>
    public sealed class ReachesForward
    {
        public Fixture.Oci.Thing? Later { get; set; }
    }
}

namespace Fixture.Oci
{
    /// <summary>A type of a listed layer, referenced from an earlier one.</summary>
    public sealed class Thing;
}

namespace Fixture.Facade
{
    /// <summary>The facade a host may use.</summary>
    public sealed class Door;
}

namespace Fixture.Stray
{
    /// <summary>Lives in a namespace the order does not list.</summary>
    public sealed class Lost;

    /// <summary>Breaks the field-naming rule three ways, and keeps it twice.</summary>
    public sealed class Misnamed
    {
        private const int Kept = 1;
        private static readonly int Limit2 = 2;
        private static readonly int limit = 3;
        private readonly int count = 4;
        private readonly int _kept = 5;
        private readonly int _Cache = 6;

        public int Sum => Kept + Limit2 + limit + count + _kept + _Cache;
    }
}

namespace Fixture.Host
{
    /// <summary>A host type that reaches past the facade into the Oci layer.</summary>
    public sealed class Program
    {
        public Fixture.Facade.Door? Door { get; set; }

        public Fixture.Oci.Thing? PastTheFacade { get; set; }
    }
}
