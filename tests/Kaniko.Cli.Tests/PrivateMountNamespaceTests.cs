using Kaniko.Engine;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>
/// When a root build skips the re-execution in a private mount namespace: only when it runs no <c>RUN</c> step, and
/// then with <c>--stage-root=unpack</c>, so a <c>RUN</c> from a base image's <c>ONBUILD</c> still mounts nothing here.
/// </summary>
public sealed class PrivateMountNamespaceTests : IDisposable
{
    private readonly TempDirectory _context = new("kaniko-mount-ns-");

    public void Dispose() => _context.Dispose();

    [Fact]
    public void A_copy_only_build_stays_here_and_unpacks_any_stage_root()
    {
        var request = Request("FROM busybox\nCOPY . /app/\n") with { Destinations = ["registry.invalid/app:1"], Target = null };

        var here = PrivateMountNamespace.WithoutRunSteps(request);

        Assert.NotNull(here);
        Assert.Equal(StageRootKind.Unpack, here.StageRoot);
        Assert.Equal(request with { StageRoot = StageRootKind.Unpack }, here);
    }

    [Theory]
    [InlineData("FROM busybox\nRUN true\n")]
    [InlineData("FROM busybox AS build\nRUN true\nFROM scratch\nCOPY --from=build / /\n")]
    public void A_build_that_runs_a_step_enters_the_namespace(string dockerfile) =>
        Assert.Null(PrivateMountNamespace.WithoutRunSteps(Request(dockerfile)));

    private BuildRequest Request(string dockerfile)
    {
        File.WriteAllText(_context.Combine("Dockerfile"), dockerfile);
        return new BuildRequest { Context = _context.Path };
    }
}
