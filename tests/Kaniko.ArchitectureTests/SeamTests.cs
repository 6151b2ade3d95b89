using System.Reflection;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// The seams other work plugs into: each kind of step runs behind the one step executor interface, and each place
/// an image is written behind the one destination interface, so the stage loop and the builder never switch on kinds.
/// </summary>
public class SeamTests
{
    private static readonly Assembly Engine = typeof(KanikoException).Assembly;

    [Fact]
    public void Every_step_executor_implements_the_one_interface()
    {
        var seam = Single("IStepExecutor");
        var executors = Concrete().Where(t => t.Name.EndsWith("StepExecutor", StringComparison.Ordinal)).ToList();

        Assert.Equal(["CopyStepExecutor", "MetadataStepExecutor", "RunStepExecutor", "WorkdirStepExecutor"], executors.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(executors, t => Assert.True(seam.IsAssignableFrom(t), t.Name + " does not implement " + seam.Name));
    }

    [Fact]
    public void Every_output_destination_implements_the_one_interface()
    {
        var seam = Single("IImageDestination");
        var destinations = Concrete().Where(t => t.Name.EndsWith("Destination", StringComparison.Ordinal)).ToList();

        Assert.Contains(destinations, t => t.Name == "RegistryDestination");
        Assert.All(destinations, t => Assert.True(seam.IsAssignableFrom(t), t.Name + " does not implement " + seam.Name));
    }

    private static Type Single(string name) => Engine.GetTypes().Single(t => t.Name == name);

    private static IEnumerable<Type> Concrete() => Engine.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && !t.IsNested);
}
