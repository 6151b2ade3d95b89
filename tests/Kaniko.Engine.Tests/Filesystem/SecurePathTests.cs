using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Filesystem;

public sealed class SecurePathTests
{
    // Links of the tree every case resolves in: name -> target, as a layer could hold them.
    private static readonly (string Link, string Target)[] Links =
    [
        ("abs", "/etc"),
        ("rel", "sub"),
        ("up", "../../.."),
        ("chain", "abs/x"),
        ("dotdot", "sub/../../.."),
        ("sub/back", "../rel"),
        ("loop1", "loop2"),
        ("loop2", "loop1"),
    ];

    public static TheoryData<string, bool, string> Cases => new()
    {
        { "/a/b", true, "/a/b" },
        { "a/./b/", true, "/a/b" },
        { "../../x", true, "/x" },
        { "/", true, "" },
        { "/abs/passwd", true, "/etc/passwd" },
        { "/abs", true, "/etc" },
        { "/abs", false, "/abs" },
        { "/rel/f", true, "/sub/f" },
        { "/up/etc/shadow", true, "/etc/shadow" },
        { "/up", true, "" },
        { "/sub/../../../x", true, "/x" },
        { "/chain", true, "/etc/x" },
        { "/chain", false, "/chain" },
        { "/dotdot/y", true, "/y" },
        { "/sub/back/z", true, "/sub/z" },
        { "/missing/abs/q", true, "/missing/abs/q" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolves_inside_the_root(string path, bool followFinalLink, string expected)
    {
        using var root = CreateTree();

        var resolved = SecurePath.Resolve(root.Path, path, followFinalLink);

        Assert.Equal(root.Path + expected, resolved);
    }

    [Fact]
    public void A_link_loop_is_an_error()
    {
        using var root = CreateTree();

        var error = Assert.Throws<KanikoException>(() => SecurePath.Resolve(root.Path, "/loop1/x"));

        Assert.Equal(DiagnosticCodes.RootFsSymlinkLoop, error.Code);
    }

    [Fact]
    public void The_final_link_of_an_entry_is_not_followed()
    {
        using var root = CreateTree();

        Assert.Equal(root.Path + "/loop1", SecurePath.ResolveEntry(root.Path, "/loop1"));
    }

    private static TempDirectory CreateTree()
    {
        var root = new TempDirectory("kaniko-securepath-");
        Directory.CreateDirectory(root.Combine("sub"));
        foreach (var (link, target) in Links)
        {
            File.CreateSymbolicLink(root.Combine(link.Split('/')), target);
        }

        return root;
    }
}
