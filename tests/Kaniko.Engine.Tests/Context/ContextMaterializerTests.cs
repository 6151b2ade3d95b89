using System.Runtime.Versioning;
using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Tests.Execution.Add;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Context;

/// <summary>
/// Contexts made local: archives (plain and compressed, from a file or standard input), sub-paths, and archives
/// written to escape the scratch folder, which must stay inside it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ContextMaterializerTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-ctx-");

    public ContextMaterializerTests()
    {
        Directory.CreateDirectory(Scratch);
        Directory.CreateDirectory(Outside);
    }

    private string Scratch => _temp.Combine("scratch");

    // A folder beside the scratch root: what an evil archive aims at.
    private string Outside => _temp.Combine("outside");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tar_archive_is_unpacked_with_modes_and_links_and_removed_on_dispose(bool gzip)
    {
        var builder = new TarBuilder()
            .File("Dockerfile", "FROM scratch\n")
            .Directory("bin/", (UnixFileMode)0x16D)
            .File("bin/run.sh", "#!/bin/sh\n", (UnixFileMode)0x1ED)
            .SymbolicLink("bin/latest", "run.sh")
            .HardLink("bin/again.sh", "bin/run.sh", (UnixFileMode)0x1ED); // a tar repeats the mode on the link
        var archive = Write("context.archive", gzip ? builder.ToTarGz() : builder.ToTar());

        string directory;
        using (var context = await MaterializeAsync("tar://" + archive))
        {
            directory = context.Directory;
            Assert.True(context.IsScratchCopy);
            Assert.StartsWith(Scratch, directory, StringComparison.Ordinal);
            Assert.Equal("FROM scratch\n", File.ReadAllText(Path.Combine(directory, "Dockerfile")));
            Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(directory, "bin/run.sh")));
            Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(Path.Combine(directory, "bin")));
            Assert.Equal("run.sh", new FileInfo(Path.Combine(directory, "bin/latest")).LinkTarget);
            Assert.Equal("#!/bin/sh\n", File.ReadAllText(Path.Combine(directory, "bin/again.sh")));
            using var files = BuildContextFactory.Open(directory, null);
            Assert.True(files.FileExists("Dockerfile"));
        }

        Assert.False(Directory.Exists(directory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Theory]
    [InlineData("tar://stdin")]
    [InlineData("-")]
    public async Task An_archive_on_standard_input_is_read_once(string argument)
    {
        var archive = new TarBuilder().File("Dockerfile", "FROM scratch\n").File("a.txt", "a").ToTarGz();
        var opened = 0;

        using var context = await ContextMaterializer.MaterializeAsync(argument, Options() with
        {
            OpenStandardInput = () =>
            {
                opened++;
                return new MemoryStream(archive);
            },
        }, Cancellation);

        Assert.Equal(1, opened);
        Assert.Equal("a", File.ReadAllText(Path.Combine(context.Directory, "a.txt")));
        Assert.True(ContextMaterializer.ReadsStandardInput(argument));
    }

    [Fact]
    public async Task A_lone_dockerfile_on_standard_input_is_the_dockerfile_of_an_empty_context()
    {
        using var context = await ContextMaterializer.MaterializeAsync("-", Options() with
        {
            OpenStandardInput = () => new MemoryStream("FROM scratch\n"u8.ToArray()),
        }, Cancellation);

        Assert.Equal(["Dockerfile"], Directory.EnumerateFileSystemEntries(context.Directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Kanikos_tar_stdin_must_be_an_archive()
    {
        var error = await Assert.ThrowsAsync<KanikoException>(() => ContextMaterializer.MaterializeAsync("tar://stdin", Options() with
        {
            OpenStandardInput = () => new MemoryStream("FROM scratch\n"u8.ToArray()),
        }, Cancellation));

        Assert.Equal(DiagnosticCodes.ContextNotAnArchive, error.Code);
        Assert.Contains("'tar://stdin'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task Standard_input_needs_a_host_that_gives_one()
    {
        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://stdin"));

        Assert.Equal(DiagnosticCodes.ContextStandardInputUnavailable, error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task A_missing_archive_and_a_text_file_are_named()
    {
        var missing = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + _temp.Combine("nope.tar")));
        Assert.Equal(DiagnosticCodes.ContextArchiveNotFound, missing.Code);
        Assert.Contains("nope.tar", missing.Message, StringComparison.Ordinal);

        var text = Write("notes.tar.gz", Encoding.UTF8.GetBytes("hello, not an archive\n"));
        var notTar = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + text));
        Assert.Equal(DiagnosticCodes.ContextNotAnArchive, notTar.Code);
        Assert.Contains("notes.tar.gz", notTar.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_archive_is_refused()
    {
        var whole = new TarBuilder().File("big", new string('x', 10_000)).ToTarGz();
        var archive = Write("cut.tar.gz", whole[..(whole.Length / 2)]);

        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + archive));

        Assert.Equal(DiagnosticCodes.ContextArchiveInvalid, error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("../../escaped")]
    [InlineData("/escaped")]
    [InlineData("./a/../../escaped")]
    public async Task Names_that_climb_out_land_inside(string name)
    {
        var archive = Write("evil.tar", new TarBuilder().File(name, "gotcha").ToTar());

        using var context = await MaterializeAsync("tar://" + archive);

        Assert.Equal("gotcha", File.ReadAllText(Path.Combine(context.Directory, "escaped")));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task A_symbolic_link_out_then_a_write_through_it_stays_inside()
    {
        var archive = Write("evil.tar", new TarBuilder()
            .SymbolicLink("out", Outside)
            .SymbolicLink("up", "../../../../../../..")
            .File("out/planted", "gotcha")
            .File("up/" + Outside.TrimStart('/') + "/planted2", "gotcha")
            .ToTar());

        using var context = await MaterializeAsync("tar://" + archive);

        AssertNothingEscaped();
        // The links are kept as written (they are data), the files went under the context's own root.
        Assert.Equal(Outside, new FileInfo(Path.Combine(context.Directory, "out")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(context.Directory, Outside.TrimStart('/'), "planted")));
        Assert.True(File.Exists(Path.Combine(context.Directory, Outside.TrimStart('/'), "planted2")));
    }

    [Fact]
    public async Task Deleting_the_scratch_copy_never_follows_its_links()
    {
        var guarded = Directory.CreateDirectory(Path.Combine(Outside, "guarded")).FullName;
        File.SetUnixFileMode(guarded, (UnixFileMode)0x16D);
        File.WriteAllText(Path.Combine(guarded, "keep"), "kept");
        var archive = Write("links.tar", new TarBuilder()
            .Directory("ro/", (UnixFileMode)0x16D)
            .SymbolicLink("ro/out", Outside)
            .SymbolicLink("ro/guarded", guarded)
            .ToTar());

        var context = await MaterializeAsync("tar://" + archive);
        context.Dispose();

        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
        Assert.Equal((UnixFileMode)0x16D, File.GetUnixFileMode(guarded));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(guarded, "keep")));
    }

    [Fact]
    public async Task A_hard_link_to_a_file_outside_is_refused()
    {
        var victim = Path.Combine(Outside, "victim");
        File.WriteAllText(victim, "secret");
        var archive = Write("evil.tar", new TarBuilder().HardLink("stolen", victim).HardLink("stolen2", "../../outside/victim").ToTar());

        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + archive));

        Assert.Equal(DiagnosticCodes.ContextArchiveInvalid, error.Code);
        Assert.Equal(1, LinkCount(victim));
        Assert.Equal("secret", File.ReadAllText(victim));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task A_hard_link_through_a_symbolic_link_out_stays_inside()
    {
        var victim = Path.Combine(Outside, "victim");
        File.WriteAllText(victim, "secret");
        var archive = Write("evil.tar", new TarBuilder()
            .File("inside", "mine")
            .SymbolicLink("out", Outside)
            .HardLink("out/victim", "inside")
            .ToTar());

        using var context = await MaterializeAsync("tar://" + archive);

        Assert.Equal("secret", File.ReadAllText(victim));
        Assert.Equal(1, LinkCount(victim));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(context.Directory, Outside.TrimStart('/'), "victim")));
    }

    [Fact]
    public async Task A_dockerfile_or_ignore_file_linked_outside_is_read_inside()
    {
        File.WriteAllText(Path.Combine(Outside, "Dockerfile"), "FROM scratch\n# host secret\n");
        File.WriteAllText(Path.Combine(Outside, "ignore"), "host-secret-pattern\n");
        var outsideDockerfile = Write("outside-dockerfile.tar", new TarBuilder().SymbolicLink("Dockerfile", Path.Combine(Outside, "Dockerfile")).ToTar());
        var outsideIgnore = Write("outside-ignore.tar", new TarBuilder()
            .File("Dockerfile", "FROM scratch\n")
            .SymbolicLink(".dockerignore", Path.Combine(Outside, "ignore"))
            .SymbolicLink("Dockerfile.dockerignore", "../../../../../../../../" + Path.Combine(Outside, "ignore").TrimStart('/'))
            .ToTar());

        using var linked = await MaterializeAsync("tar://" + outsideDockerfile);
        var error = Assert.Throws<KanikoException>(() => linked.ResolveDockerfile(null));
        using var ignored = await MaterializeAsync("tar://" + outsideIgnore);
        var dockerfile = ignored.ResolveDockerfile(null);
        using var files = BuildContextFactory.Open(ignored.Directory, dockerfile.FullPath);

        Assert.Equal(DiagnosticCodes.DockerfileNotFound, error.Code);
        Assert.Equal(Path.Combine(ignored.Directory, "Dockerfile"), dockerfile.FullPath);
        Assert.Empty(files.Ignore.Patterns);
        Assert.Equal("host-secret-pattern\n", File.ReadAllText(Path.Combine(Outside, "ignore")));
    }

    [Fact]
    public async Task A_link_inside_the_context_still_names_the_dockerfile()
    {
        var archive = Write("inside.tar", new TarBuilder()
            .File("build/Dockerfile.real", "FROM scratch\n")
            .File("build/ignore", "*.log\n")
            .SymbolicLink("Dockerfile", "/build/Dockerfile.real")
            .SymbolicLink(".dockerignore", "build/ignore")
            .ToTar());

        using var context = await MaterializeAsync("tar://" + archive);
        var dockerfile = context.ResolveDockerfile(null);
        using var files = BuildContextFactory.Open(context.Directory, dockerfile.FullPath);

        Assert.Equal(Path.Combine(context.Directory, "build", "Dockerfile.real"), dockerfile.FullPath);
        Assert.Equal(["*.log"], files.Ignore.Patterns);
    }

    [Fact]
    public async Task Device_nodes_and_fifos_are_refused()
    {
        var archive = Write("fifo.tar", new TarBuilder().File("Dockerfile", "FROM scratch\n").Fifo("pipe").ToTar());

        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + archive));

        Assert.Equal(DiagnosticCodes.ContextArchiveInvalid, error.Code);
        Assert.Contains("FIFO", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sub_path_picks_a_folder_and_cannot_leave_the_context()
    {
        var archive = Write("sub.tar", new TarBuilder()
            .File("app/Dockerfile", "FROM scratch\n")
            .SymbolicLink("link", "/")
            .ToTar());

        using (var context = await MaterializeAsync("tar://" + archive, subPath: "app"))
        {
            Assert.True(File.Exists(Path.Combine(context.Directory, "Dockerfile")));
        }

        using (var context = await MaterializeAsync("tar://" + archive, subPath: "link/../../app"))
        {
            Assert.True(File.Exists(Path.Combine(context.Directory, "Dockerfile")));
        }

        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("tar://" + archive, subPath: "nope"));
        Assert.Equal(DiagnosticCodes.ContextSubPathNotFound, error.Code);
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task A_local_directory_is_used_in_place_with_its_sub_path()
    {
        var root = Directory.CreateDirectory(_temp.Combine("local", "sub")).Parent!.FullName;

        using var plain = await MaterializeAsync(root);
        using var scheme = await MaterializeAsync("dir://" + root, subPath: "sub");

        Assert.Equal(root, plain.Directory);
        Assert.False(plain.IsScratchCopy);
        Assert.Equal(Path.Combine(root, "sub"), scheme.Directory);
        Assert.True(Directory.Exists(root));
    }

    [Fact]
    public async Task A_remote_store_is_asked_first_and_its_archive_unpacked()
    {
        var store = new FixedStore("s3://", new TarBuilder().File("Dockerfile", "FROM scratch\n").ToTarGz());

        using var context = await ContextMaterializer.MaterializeAsync("s3://bucket/context.tar.gz", Options() with { RemoteSources = [store] }, Cancellation);

        Assert.Equal(["s3://bucket/context.tar.gz"], store.Fetched);
        Assert.True(File.Exists(Path.Combine(context.Directory, "Dockerfile")));
    }

    [Fact]
    public async Task An_scp_like_git_address_is_a_repository()
    {
        var address = "git@host.invalid:nowhere/repo.git";

        // The host does not resolve (and ssh cannot prompt for it): the error shows the context went to git, not to the folder lookup.
        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync(address));

        Assert.Equal(DiagnosticCodes.ContextGitFailed, error.Code);
        Assert.Contains(address, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Scratch));
    }

    [Fact]
    public async Task A_bucket_without_a_store_is_not_supported()
    {
        var error = await Assert.ThrowsAsync<KanikoException>(() => MaterializeAsync("gs://bucket/context.tar.gz"));

        Assert.Equal(DiagnosticCodes.ContextSourceNotSupported, error.Code);
    }

    private Task<MaterializedContext> MaterializeAsync(string argument, string? subPath = null) =>
        ContextMaterializer.MaterializeAsync(argument, Options() with { SubPath = subPath }, Cancellation);

    private ContextSourceOptions Options() => new() { ScratchRoot = Scratch };

    private string Write(string name, byte[] content)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private void AssertNothingEscaped()
    {
        Assert.False(File.Exists(_temp.Combine("escaped")));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_temp.Path)!, "escaped")));
        Assert.False(File.Exists("/escaped"));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(Outside), p => Path.GetFileName(p) != "victim");
    }

    private static long LinkCount(string path) => Kaniko.Engine.Filesystem.FileStat.TryRead(path)!.LinkCount;

    private sealed class FixedStore(string scheme, byte[] archive) : IRemoteContextSource
    {
        public List<string> Fetched { get; } = [];

        public bool CanFetch(string contextArgument) => contextArgument.StartsWith(scheme, StringComparison.Ordinal);

        public async Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken)
        {
            Fetched.Add(contextArgument);
            await destination.WriteAsync(archive, cancellationToken);
        }
    }
}
