using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

public sealed class BuildContextFactoryTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Plain_path_and_dir_scheme_open_the_same_directory()
    {
        _tree.AddFile("Dockerfile");
        using var plain = BuildContextFactory.Open(_tree.Root, null);
        using var scheme = BuildContextFactory.Open("dir://" + _tree.Root, null);

        Assert.Equal(plain.Description, scheme.Description);
        Assert.True(scheme.FileExists("Dockerfile"));
    }

    [Theory]
    [InlineData("s3://bucket/context.tar.gz")]
    [InlineData("gs://bucket/context.tar.gz")]
    public void Buckets_without_a_registered_source_are_not_supported(string argument)
    {
        var error = Assert.Throws<KanikoException>(() => BuildContextFactory.Open(argument, null));

        Assert.Equal(DiagnosticCodes.ContextSourceNotSupported, error.Code);
        Assert.Equal(DiagnosticArea.Context, error.Code.Area);
        Assert.Contains("no remote store source is registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_scheme_is_named()
    {
        var error = Assert.Throws<KanikoException>(() => BuildContextFactory.Open("ftp://host/x", null));

        Assert.Equal(DiagnosticCodes.ContextSchemeUnknown, error.Code);
        Assert.Contains("ftp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_directory_is_a_clear_error()
    {
        var missing = Path.Combine(_tree.Root, "nope");

        var error = Assert.Throws<KanikoException>(() => BuildContextFactory.Open(missing, null));
        Assert.Equal(DiagnosticCodes.ContextDirectoryNotFound, error.Code);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_is_not_a_context()
    {
        var file = _tree.AddFile("context.tar");

        var error = Assert.Throws<KanikoException>(() => BuildContextFactory.Open(file, null));
        Assert.Equal(DiagnosticCodes.ContextNotADirectory, error.Code);
    }

    [Fact]
    public void Context_dockerignore_applies_by_default()
    {
        _tree.AddFile("Dockerfile");
        _tree.AddFile(".dockerignore", "*.log\n");
        using var context = BuildContextFactory.Open(_tree.Root, null);

        Assert.Equal(["*.log"], context.Ignore.Patterns);
        Assert.Equal(".dockerignore", context.Ignore.FileName);
    }

    [Fact]
    public void Dockerfile_specific_ignore_file_takes_precedence()
    {
        _tree.AddFile("build/Dockerfile.prod");
        _tree.AddFile("build/Dockerfile.prod.dockerignore", "secrets\n");
        _tree.AddFile(".dockerignore", "*.log\n");
        using var context = BuildContextFactory.Open(_tree.Root, "build/Dockerfile.prod");

        Assert.Equal(["secrets"], context.Ignore.Patterns);
        Assert.Equal("build/Dockerfile.prod.dockerignore", context.Ignore.FileName);
    }

    [Fact]
    public void Without_a_specific_file_the_context_dockerignore_is_used()
    {
        _tree.AddFile("build/Dockerfile.prod");
        _tree.AddFile(".dockerignore", "*.log\n");
        using var context = BuildContextFactory.Open(_tree.Root, "build/Dockerfile.prod");

        Assert.Equal(["*.log"], context.Ignore.Patterns);
    }

    [Fact]
    public void No_ignore_file_means_nothing_is_excluded()
    {
        using var context = BuildContextFactory.Open(_tree.Root, null);

        Assert.Same(DockerIgnoreMatcher.Empty, context.Ignore);
    }

    [Fact]
    public void Malformed_ignore_file_names_the_file_and_line()
    {
        _tree.AddFile(".dockerignore", "ok\n[\n");

        var error = Assert.Throws<KanikoException>(() => BuildContextFactory.Open(_tree.Root, null));
        Assert.Equal(DiagnosticCodes.IgnorePatternInvalid, error.Code);
        Assert.StartsWith(".dockerignore:2: ", error.Message, StringComparison.Ordinal);
    }
}
