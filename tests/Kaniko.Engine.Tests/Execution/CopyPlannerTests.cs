using Kaniko.Engine.Context;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>What the rendered cases do not show: times, sizes and the created-directory settings.</summary>
public class CopyPlannerTests
{
    private static readonly DateTime SourceTime = new(2023, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    [Fact]
    public void Items_keep_the_source_time_and_size()
    {
        using var directory = new TempDirectory("kaniko-copy-");
        var file = directory.Combine("a.txt");
        File.WriteAllText(file, "hello");
        File.SetLastWriteTimeUtc(file, SourceTime);
        using var context = new DirectoryBuildContext(directory.Path, DockerIgnoreMatcher.Empty);

        var plan = CopyPlanner.Plan(context, new CopyRequest { SourcePaths = ["a.txt"], Destination = "/d/" });

        var item = Assert.Single(plan.Items);
        Assert.Equal(new DateTimeOffset(SourceTime), item.ModificationTime);
        Assert.Equal(5, item.Size);
        Assert.Equal(ContainerPath.Parse("/d"), plan.Destination);
        Assert.True(plan.DestinationIsDirectory);
        Assert.Equal((UnixFileMode)0x1ED, plan.CreatedDirectoryMode);
    }

    [Fact]
    public void A_fixed_build_time_replaces_every_time()
    {
        using var directory = new TempDirectory("kaniko-copy-");
        Directory.CreateDirectory(directory.Combine("d"));
        File.WriteAllText(directory.Combine("d", "f"), "x");
        using var context = new DirectoryBuildContext(directory.Path, DockerIgnoreMatcher.Empty);
        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var plan = CopyPlanner.Plan(context, new CopyRequest
        {
            SourcePaths = ["d"],
            InlineSources = [new InlineSource("note", "n\n", false)],
            Destination = "/out/",
            CreatedTime = epoch,
            Chmod = "0700",
        });

        Assert.All(plan.Items, i => Assert.Equal(epoch, i.ModificationTime));
        // --chmod is for what is copied; the parents the copy creates are BuildKit's MkdirAll(0755).
        Assert.Equal((UnixFileMode)0x1ED, plan.CreatedDirectoryMode);
        Assert.Equal(3, plan.Items.Count);
    }

    [Fact]
    public void Heredoc_goes_into_an_existing_directory()
    {
        using var directory = new TempDirectory("kaniko-copy-");
        using var context = new DirectoryBuildContext(directory.Path, DockerIgnoreMatcher.Empty);

        var plan = CopyPlanner.Plan(context, new CopyRequest
        {
            SourcePaths = [],
            InlineSources = [new InlineSource("EOF", "x", false)],
            Destination = "/etc",
            IsExistingDirectory = p => p.Value == "/etc",
        });

        var item = Assert.Single(plan.Items);
        Assert.Equal("/etc/EOF", item.Destination.Value);
        Assert.Null(item.ModificationTime);
        Assert.Equal(1, item.Size);
    }

    [Fact]
    public void Errors_without_a_range_carry_no_location()
    {
        using var directory = new TempDirectory("kaniko-copy-");
        using var context = new DirectoryBuildContext(directory.Path, DockerIgnoreMatcher.Empty);

        var error = Assert.Throws<Kaniko.Engine.Diagnostics.KanikoException>(() =>
            CopyPlanner.Plan(context, new CopyRequest { SourcePaths = ["x"], Destination = "/" }));

        Assert.Null(error.Range);
        Assert.Equal("failed to compute cache key: \"/x\": not found", error.Message);
    }
}
