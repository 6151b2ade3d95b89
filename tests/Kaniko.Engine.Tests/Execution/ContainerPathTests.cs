using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Execution;

public class ContainerPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData("a/b", "/a/b")]
    [InlineData("//a//b/", "/a/b")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/../..", "/")]
    public void Parse_cleans(string input, string expected) => Assert.Equal(expected, ContainerPath.Parse(input).Value);

    [Fact]
    public void Resolve_reads_relative_paths_from_the_directory()
    {
        var workdir = ContainerPath.Parse("/srv/app");

        Assert.Equal("/srv/app/x", workdir.Resolve("x").Value);
        Assert.Equal("/srv/y", workdir.Resolve("../y").Value);
        Assert.Equal("/abs", workdir.Resolve("/abs").Value);
        Assert.Equal("/srv/app", workdir.Resolve(".").Value);
    }

    [Fact]
    public void Parent_name_and_equality()
    {
        var path = ContainerPath.Parse("/a/b");

        Assert.Equal("b", path.Name);
        Assert.Equal(ContainerPath.Parse("/a"), path.Parent);
        Assert.Equal(ContainerPath.Root, ContainerPath.Parse("/a").Parent);
        Assert.Equal(ContainerPath.Root, ContainerPath.Root.Parent);
        Assert.Equal(ContainerPath.Root, default);
        Assert.True(path.IsWithin(ContainerPath.Parse("/a")));
        Assert.False(ContainerPath.Parse("/ab").IsWithin(ContainerPath.Parse("/a")));
        Assert.Equal("/a/b/c", path.Append("c").Value);
    }
}
