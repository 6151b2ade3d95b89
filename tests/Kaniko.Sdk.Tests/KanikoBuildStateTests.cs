using Kaniko.Tasks;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests;

/// <summary>
/// The <c>KanikoBuild</c> task's up-to-date check (<c>StateFile</c>) in this process against a real registry: the
/// destination's tag is asked for beside the base images, and its answer decides only when the inputs are unchanged.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KanikoBuildStateTests(RegistryFixture registry) : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-task-state-");

    [Fact]
    public void Unchanged_inputs_whose_image_the_tag_still_names_are_up_to_date_and_a_moved_tag_is_rebuilt()
    {
        var context = WriteContext("app", "hello\n");
        var other = WriteContext("other", "bye\n");
        var destination = registry.Host + "/sdk-state/app:1";

        var state = _directory.Combine("obj", "state.txt");
        var (first, firstLog) = Build(context, destination, state);
        var (unchanged, unchangedLog) = Build(context, destination, state);
        // Another image under the same tag, as a push from elsewhere would leave it.
        var (moved, _) = Build(other, destination, stateFile: null);
        var (rebuilt, rebuiltLog) = Build(context, destination, state);

        Assert.True(first.ImageDigest.Length > 0, string.Join("\n", firstLog.Errors.Select(e => e.Message)));
        Assert.Contains(firstLog.Messages, m => m.Message!.StartsWith("Pushed image ", StringComparison.Ordinal));
        Assert.Equal(first.ImageDigest, unchanged.ImageDigest);
        Assert.Contains(unchangedLog.Messages, m => m.Message!.Contains("is up to date (inputs unchanged and " + first.ImageDigest, StringComparison.Ordinal));
        Assert.DoesNotContain(unchangedLog.Messages, m => m.Message!.StartsWith("Pushed image ", StringComparison.Ordinal));
        Assert.NotEqual(first.ImageDigest, moved.ImageDigest);
        Assert.Contains(rebuiltLog.Messages, m => m.Message == $"{destination} does not name {first.ImageDigest} any more: building");
        Assert.Contains(rebuiltLog.Messages, m => m.Message!.StartsWith("Pushed image ", StringComparison.Ordinal));
        Assert.Equal(first.ImageDigest, rebuilt.ImageDigest);
    }

    [Fact]
    public void Changed_inputs_are_rebuilt_also_when_the_context_lies_in_the_state_folder()
    {
        // The targets' layout with several runtime identifiers: obj/.../kaniko/state.txt beside the context kaniko/rids/.
        var context = WriteContext(Path.Combine("kaniko", "rids"), "hello\n");
        var state = _directory.Combine("kaniko", "state.txt");
        var destination = registry.Host + "/sdk-state/changed:1";
        var (first, _) = Build(context, destination, state);

        File.WriteAllText(Path.Combine(context, "greeting.txt"), "hello again\n");
        var (second, secondLog) = Build(context, destination, state);

        Assert.True(second.ImageDigest.Length > 0, string.Join("\n", secondLog.Errors.Select(e => e.Message)));
        Assert.True(first.ImageDigest != second.ImageDigest, string.Join("\n", secondLog.Messages.Select(m => m.Message)));
        Assert.Contains(secondLog.Messages, m => m.Message!.StartsWith("Pushed image ", StringComparison.Ordinal));
    }

    public void Dispose() => _directory.Dispose();

    private string WriteContext(string name, string greeting)
    {
        var context = _directory.Combine(name);
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "greeting.txt"), greeting);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY greeting.txt /\n");
        return context;
    }

    private (KanikoBuild Task, RecordingBuildEngine Log) Build(string context, string destination, string? stateFile)
    {
        var engine = new RecordingBuildEngine();
        var task = new KanikoBuild
        {
            BuildEngine = engine,
            ContextDirectory = context,
            Dockerfile = Path.Combine(context, "Dockerfile"),
            Destinations = [new Microsoft.Build.Utilities.TaskItem(destination)],
            Insecure = true,
            Reproducible = true,
            StateFile = stateFile,
            CacheDirectory = _directory.Combine("cache"),
        };
        task.Execute();
        return (task, engine);
    }
}
