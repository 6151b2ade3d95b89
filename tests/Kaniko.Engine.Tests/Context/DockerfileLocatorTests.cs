using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

public sealed class DockerfileLocatorTests : IDisposable
{
    private readonly TempTree _context = new();
    private readonly TempTree _workingDirectory = new();

    public void Dispose()
    {
        _context.Dispose();
        _workingDirectory.Dispose();
    }

    [Fact]
    public void Default_is_Dockerfile_in_the_context()
    {
        var path = _context.AddFile("Dockerfile", "FROM scratch\n");

        var location = DockerfileLocator.Resolve(null, _context.Root, _workingDirectory.Root);

        Assert.Equal(path, location.FullPath);
        Assert.Equal("Dockerfile", location.DisplayName);
    }

    [Fact]
    public void Relative_path_is_looked_for_in_the_working_directory_first()
    {
        _context.AddFile("docker/Dockerfile");
        var inWorkingDirectory = _workingDirectory.AddFile("docker/Dockerfile");

        var location = DockerfileLocator.Resolve("docker/Dockerfile", _context.Root, _workingDirectory.Root);

        Assert.Equal(inWorkingDirectory, location.FullPath);
        Assert.Equal("docker/Dockerfile", location.DisplayName);
    }

    [Fact]
    public void Relative_path_falls_back_to_the_context()
    {
        var inContext = _context.AddFile("other/Dockerfile");

        var location = DockerfileLocator.Resolve("other/Dockerfile", _context.Root, _workingDirectory.Root);

        Assert.Equal(inContext, location.FullPath);
    }

    [Fact]
    public void Absolute_path_is_used_as_is()
    {
        var elsewhere = _workingDirectory.AddFile("Containerfile");

        Assert.Equal(elsewhere, DockerfileLocator.Resolve(elsewhere, _context.Root, _workingDirectory.Root).FullPath);
    }

    [Fact]
    public void Bytes_are_read_exactly()
    {
        var path = Path.Combine(_context.Root, "Dockerfile");
        byte[] content = [0xEF, 0xBB, 0xBF, (byte)'F', (byte)'R', (byte)'O', (byte)'M', (byte)'\r', (byte)'\n'];
        File.WriteAllBytes(path, content);

        Assert.Equal(content, DockerfileLocator.Resolve(null, _context.Root, _workingDirectory.Root).ReadAllBytes());
    }

    [Fact]
    public void Missing_Dockerfile_lists_where_it_looked()
    {
        var error = Assert.Throws<KanikoException>(() =>
            DockerfileLocator.Resolve("nope/Dockerfile", _context.Root, _workingDirectory.Root));

        Assert.Equal(DiagnosticCodes.DockerfileNotFound, error.Code);
        Assert.Contains(Path.Combine(_context.Root, "nope", "Dockerfile"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_workingDirectory.Root, "nope", "Dockerfile"), error.Message, StringComparison.Ordinal);
    }
}
