using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

public sealed class DirectoryBuildContextTests : IDisposable
{
    private readonly TempTree _outside = new();
    private readonly TempTree _tree = new();

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    private DirectoryBuildContext Open(string ignore = "") =>
        new(_tree.Root, ignore.Length == 0 ? DockerIgnoreMatcher.Empty : DockerIgnoreMatcher.Parse(Encoding.UTF8.GetBytes(ignore), ".dockerignore"));

    [Fact]
    public void Reads_a_file_by_its_context_path()
    {
        _tree.AddFile("src/app.txt", "hello");
        using var context = Open();
        using var reader = new StreamReader(context.OpenRead("src/app.txt"));

        Assert.Equal("hello", reader.ReadToEnd());
        Assert.True(context.FileExists("./src//app.txt"));
        Assert.False(context.FileExists("src"));
        Assert.StartsWith("dir://", context.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("src/../../secret")]
    [InlineData("..")]
    public void Dot_dot_out_of_the_root_is_rejected(string path)
    {
        using var context = Open();

        var error = Assert.Throws<KanikoException>(() => context.OpenRead(path));
        Assert.Equal(DiagnosticCodes.ContextPathEscapes, error.Code);
    }

    [Fact]
    public void Dot_dot_that_stays_inside_is_allowed()
    {
        _tree.AddFile("a.txt");
        _tree.AddDirectory("src");
        using var context = Open();

        Assert.True(context.FileExists("src/../a.txt"));
    }

    [Fact]
    public void A_symbolic_link_to_an_absolute_path_outside_is_rejected()
    {
        var secret = _outside.AddFile("secret.txt");
        _tree.AddLink("link.txt", secret);
        using var context = Open();

        var error = Assert.Throws<KanikoException>(() => context.OpenRead("link.txt"));
        Assert.Equal(DiagnosticCodes.ContextSymlinkEscapes, error.Code);
        Assert.Contains("link.txt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_symbolic_link_climbing_out_is_rejected()
    {
        _outside.AddFile("secret.txt");
        _tree.AddLink("dir/up", "../../" + Path.GetFileName(_outside.Root));
        using var context = Open();

        var error = Assert.Throws<KanikoException>(() => context.FileExists("dir/up/secret.txt"));
        Assert.Equal(DiagnosticCodes.ContextSymlinkEscapes, error.Code);
    }

    [Fact]
    public void Symbolic_links_inside_the_root_are_followed()
    {
        _tree.AddFile("real/data.txt", "inside");
        _tree.AddLink("alias", "real");
        _tree.AddLink("abs", Path.Combine(_tree.Root, "real", "data.txt"));
        using var context = Open();

        Assert.True(context.FileExists("alias/data.txt"));
        Assert.True(context.FileExists("abs"));
        var unresolvedLink = context.ResolveHostPath("alias", followFinalLink: false);
        Assert.Equal("real", new FileInfo(unresolvedLink).LinkTarget);
    }

    [Fact]
    public void A_root_reached_through_a_link_accepts_absolute_links_written_either_way()
    {
        _outside.AddFile("real.txt");
        var rootLink = Path.Combine(_tree.Root, "ctx");
        Directory.CreateSymbolicLink(rootLink, _outside.Root);
        _outside.AddLink("via-link", Path.Combine(rootLink, "real.txt"));
        _outside.AddLink("via-target", Path.Combine(_outside.Root, "real.txt"));
        using var context = new DirectoryBuildContext(rootLink, DockerIgnoreMatcher.Empty);

        Assert.True(context.FileExists("via-link"));
        Assert.True(context.FileExists("via-target"));
    }

    [Fact]
    public void A_symbolic_link_loop_is_an_error()
    {
        _tree.AddLink("a", "b");
        _tree.AddLink("b", "a");
        using var context = Open();

        var error = Assert.Throws<KanikoException>(() => context.FileExists("a"));
        Assert.Equal(DiagnosticCodes.ContextSymlinkLoop, error.Code);
    }

    [Fact]
    public void Missing_file_is_a_clear_error()
    {
        using var context = Open();

        var error = Assert.Throws<KanikoException>(() => context.OpenRead("nope.txt"));
        Assert.Equal(DiagnosticCodes.ContextFileNotFound, error.Code);
    }

    [Fact]
    public void Enumeration_applies_the_ignore_rules_and_lists_parents_first()
    {
        _tree.AddFile("Dockerfile");
        _tree.AddFile("node_modules/x/index.js");
        _tree.AddFile("node_modules/keep/index.js");
        _tree.AddFile("src/a.ts");
        _tree.AddFile("src/a.test.ts");
        _tree.AddDirectory("empty");
        _tree.AddLink("src/link", "a.ts");
        using var context = Open("node_modules\n!node_modules/keep\n**/*.test.ts\n");

        var entries = context.EnumerateEntries().ToArray();

        Assert.Equal(
            ["Dockerfile", "empty", "node_modules", "node_modules/keep", "node_modules/keep/index.js", "src", "src/a.ts", "src/link"],
            entries.Select(e => e.Path));
        Assert.Equal(ContextEntryKind.SymbolicLink, entries.Single(e => e.Path == "src/link").Kind);
        Assert.Equal("a.ts", entries.Single(e => e.Path == "src/link").LinkTarget);
        Assert.Equal(ContextEntryKind.Directory, entries.Single(e => e.Path == "node_modules").Kind);
    }

    [Fact]
    public void An_excluded_directory_without_reincluded_content_is_not_listed()
    {
        _tree.AddFile("cache/a");
        _tree.AddFile("keep.txt");
        using var context = Open("cache\n!keep.txt\n");

        Assert.Equal(["keep.txt"], context.EnumerateEntries().Select(e => e.Path));
    }

    [Fact]
    public void Wildcard_exceptions_look_inside_excluded_directories()
    {
        _tree.AddFile("a/b/readme.md");
        _tree.AddFile("a/b/c.txt");
        using var context = Open("a\n!**/*.md\n");

        Assert.Equal(["a", "a/b", "a/b/readme.md"], context.EnumerateEntries().Select(e => e.Path));
    }

    [Fact]
    public void Unreadable_folder_is_an_error_unless_it_is_excluded()
    {
        if (OperatingSystem.IsWindows() || Environment.IsPrivilegedProcess)
        {
            Assert.Skip("permissions cannot deny a read to an administrator, or are not Unix modes here");
            return;
        }

        var locked = _tree.AddDirectory("locked");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            using var plain = Open();
            var error = Assert.Throws<KanikoException>(() => plain.EnumerateEntries());
            Assert.Equal(DiagnosticCodes.ContextUnreadable, error.Code);

            using var excluded = Open("locked\n!**/*.md\n");
            Assert.Empty(excluded.EnumerateEntries());
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Missing_root_is_a_clear_error()
    {
        var error = Assert.Throws<KanikoException>(() =>
            new DirectoryBuildContext(Path.Combine(_tree.Root, "missing"), DockerIgnoreMatcher.Empty));

        Assert.Equal(DiagnosticCodes.ContextDirectoryNotFound, error.Code);
    }

    [Theory]
    [InlineData(FileAttributes.Normal, "755")]
    [InlineData(FileAttributes.Archive, "755")]
    [InlineData(FileAttributes.Directory, "755")]
    [InlineData(FileAttributes.ReadOnly, "555")]
    [InlineData(FileAttributes.ReadOnly | FileAttributes.Archive, "555")]
    [InlineData(FileAttributes.Directory | FileAttributes.ReadOnly, "555")]
    public void Windows_gives_everything_the_execute_bits_and_read_only_drops_the_write_bit(FileAttributes attributes, string octal)
    {
        Assert.Equal(Convert.ToInt32(octal, 8), (int)DirectoryBuildContext.WindowsMode(attributes));
    }
}
