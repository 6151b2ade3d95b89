using System.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Storage;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Storage;

/// <summary>
/// The overlay pieces of the snapshotter: the ladder's choice, the mount options with short lower links, a real
/// overlay mounted by <see cref="OverlayMount"/> in a private mount namespace of one thread, and the upper folder of a
/// real overlay (made by <c>unshare -m</c>) read as layer entries. Everything is mounted on folders of the test's
/// scratch directory, never elsewhere, and only in namespaces that end with the test.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OverlayTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-overlay-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true, true, true, "6.1", OverlayRung.KernelOverlay)]
    [InlineData(true, true, false, "6.1", OverlayRung.KernelOverlayInUserNamespace)]
    [InlineData(true, true, false, "5.10", OverlayRung.Unpack)]
    [InlineData(true, false, true, "6.1", OverlayRung.Unpack)]
    [InlineData(false, true, true, "6.1", OverlayRung.Unpack)]
    public void The_ladder_takes_the_best_rung_the_host_allows(bool overlay, bool root, bool initialNamespace, string kernel, object expected)
    {
        var choice = OverlayLadder.Choose(new OverlayHost(overlay, root, initialNamespace, Version.Parse(kernel), null, false));

        Assert.Equal((OverlayRung)expected, choice.Rung);
        Assert.NotEmpty(choice.Findings);
    }

    [Fact]
    public void In_a_user_namespace_the_kernel_rung_needs_a_mount_namespace_of_that_user_namespace()
    {
        var host = new OverlayHost(true, true, false, new Version(6, 1), null, false, OwnsMountNamespace: false);

        var choice = OverlayLadder.Choose(host);

        Assert.Equal(OverlayRung.Unpack, choice.Rung);
        Assert.Contains(choice.Findings, f => f.Contains("mount namespace belongs to another user namespace", StringComparison.Ordinal));
        Assert.True(OverlayHost.Current().OwnsMountNamespace);
    }

    [Fact]
    public void Fuse_overlayfs_is_the_rung_below_the_kernel_when_installed_with_dev_fuse()
    {
        var host = new OverlayHost(false, true, false, new Version(6, 1), "/usr/bin/fuse-overlayfs", true, Setpriv: "/usr/bin/setpriv");

        Assert.Equal(OverlayRung.FuseOverlayfs, OverlayLadder.Choose(host).Rung);
        Assert.Equal(OverlayRung.Unpack, OverlayLadder.Choose(host with { DevFuseOpens = false }).Rung);
        Assert.Equal(new Version(5, 11), OverlayHost.ParseKernel("5.11.0-1-amd64"));
    }

    [Fact]
    public void Fuse_overlayfs_serves_a_rootless_build_where_the_kernel_refuses_overlay_in_a_user_namespace()
    {
        var host = new OverlayHost(true, true, false, new Version(5, 10), "/usr/bin/fuse-overlayfs", true, Setpriv: "/usr/bin/setpriv");

        var choice = OverlayLadder.Choose(host);

        Assert.Equal(OverlayRung.FuseOverlayfs, choice.Rung);
        Assert.Equal(OverlayForm.FuseInUserNamespace, choice.Form);
        Assert.Equal(
            ["kernel overlay in a user namespace: kernel 5.10 is older than 5.11 (no userxattr)", "fuse-overlayfs: /usr/bin/fuse-overlayfs in a user namespace"],
            choice.Findings);
        // Forced, the kernel's rungs are passed over even where they would serve; as root of the machine the rung reads root's form.
        var forced = OverlayLadder.Choose(host with { Kernel = new Version(6, 1) }, fuseOnly: true);
        Assert.Equal((OverlayRung.FuseOverlayfs, "kernel overlay: passed over (--stage-root=fuse-overlay)"), (forced.Rung, forced.Findings[0]));
        Assert.Equal(OverlayForm.Trusted, OverlayLadder.Choose(host with { InInitialUserNamespace = true }, fuseOnly: true).Form);
    }

    [Fact]
    public void Each_thing_fuse_overlayfs_lacks_is_the_reason_it_is_passed_over()
    {
        var host = new OverlayHost(true, true, false, new Version(5, 10), "/usr/bin/fuse-overlayfs", true, Setpriv: "/usr/bin/setpriv");

        foreach (var (without, reason) in new[]
        {
            (host with { FuseOverlayfs = null }, "not installed"),
            (host with { IsRoot = false }, "not root"),
            (host with { OwnsMountNamespace = false }, "the mount namespace belongs to another user namespace"),
            (host with { DevFuseOpens = false }, "/dev/fuse cannot be opened"),
            (host with { Setpriv = null }, "no setpriv"),
        })
        {
            var choice = OverlayLadder.Choose(without);

            Assert.Equal(OverlayRung.Unpack, choice.Rung);
            Assert.StartsWith("fuse-overlayfs: " + reason, choice.Findings[^2], StringComparison.Ordinal);
            Assert.StartsWith(reason, OverlayLadder.FuseProblem(without), StringComparison.Ordinal);
        }

        Assert.Null(OverlayLadder.FuseProblem(host));
    }

    [Fact]
    public void Fuse_overlayfs_mounted_by_overlay_mount_shows_the_layers_writes_to_the_upper_folder_and_ends_with_the_mount()
    {
        SkipUnlessRootWithFuseOverlayfs();
        var (bottom, top, upper, work, merged) = Folders();
        // More layers than the kernel's one page of options would take under this folder: fuse-overlayfs reads its
        // options from its command line.
        var lowers = new List<string> { bottom };
        lowers.AddRange(Enumerable.Range(0, 150).Select(i => Directory.CreateDirectory(_temp.Combine("many", "layer-of-a-long-name-" + i)).FullName));
        lowers.Add(top);
        string? seen = null;
        string? options = null;
        Exception? failure = null;

        var thread = new Thread(() =>
        {
            try
            {
                Assert.Equal(0, OverlayNative.EnterPrivateMountNamespace());
                using var mount = OverlayMount.Mount(OverlayRung.FuseOverlayfs, lowers, upper, work, merged, _temp.Combine("l"));
                options = mount.Options;
                seen = File.ReadAllText(Path.Combine(merged, "etc", "a")) + File.ReadAllText(Path.Combine(merged, "etc", "c"));
                File.WriteAllText(Path.Combine(merged, "etc", "new"), "new");
                File.Delete(Path.Combine(merged, "etc", "b"));
                Directory.Delete(Path.Combine(merged, "dir"), recursive: true);
                File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(merged, "dir")).FullName, "n"), "n");
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.True(options!.Length > OverlayMount.MaxOptionsLength, options.Length + " bytes");
        Assert.Equal("a\nc\n", seen);
        Assert.Equal("new", File.ReadAllText(Path.Combine(upper, "etc", "new")));
        Assert.False(File.Exists(Path.Combine(merged, "etc", "a")), "the mount must not be seen outside its namespace");
        Assert.Equal(
            ["dir/", "dir/.wh..wh..opq", "dir/n", "etc/", "etc/.wh.b", "etc/new"],
            OverlayUpperReader.Read(upper, OverlayUpperMarks.For(OverlayRung.FuseOverlayfs, OverlayForm.Trusted)).Select(e => e.TarName));
        Assert.DoesNotContain(FuseOverlayfsProcesses(), cmdline => cmdline.Contains(merged, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void In_a_user_namespace_fuse_overlayfs_reads_the_fuse_form_and_its_upper_folder_becomes_whiteouts_and_opaque_directories(bool whiteoutFiles)
    {
        SkipUnlessRootWithFuseOverlayfs();
        var (bottom, top, upper, work, merged) = Folders();
        // The store's fuse form in the top layer: dir replaced (only dir/kept stays), etc/b deleted.
        Directory.CreateDirectory(Path.Combine(top, "dir"));
        File.WriteAllText(Path.Combine(top, "dir", "kept"), "k\n");
        Assert.Equal(0, Kaniko.Engine.Filesystem.LibC.TrySetXattr(Path.Combine(top, "dir"), OverlayForm.FuseInUserNamespace.OpaqueAttribute, "y"u8.ToArray()));
        var options = OverlayMount.OptionsFor(OverlayRung.FuseOverlayfs, [top, bottom], upper, work);
        var script = $"""
            set -e
            mknod {top}/etc/b c 0 0
            fuse-overlayfs -o {options} {merged}
            # The program serves the mount until it goes, however the script ends.
            trap 'cd / && umount -l {merged}' EXIT
            cd {merged}
            ls -A etc dir > {_temp.Combine("seen")}
            rm etc/a
            rm -r dir && mkdir dir && echo n > dir/new
            mv bin tools
            """;
        // As root of a user namespace that is not the machine's, where trusted.* attributes are out of reach.
        var start = new ProcessStartInfo("unshare", ["--user", "--map-root-user", "--mount", "--propagation", "private", "/bin/sh", "-c", script]) { RedirectStandardError = true };
        if (whiteoutFiles)
        {
            // What fuse-overlayfs does where it may not make a whiteout device: .wh.NAME files.
            start.Environment["FUSE_OVERLAYFS_DISABLE_OVL_WHITEOUT"] = "1";
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);

        // ls sorts its operands: the replaced directory shows the top layer's file only, the deleted file is gone.
        Assert.Equal("dir:\nkept\n\netc:\na\nc\n", File.ReadAllText(_temp.Combine("seen")));
        Assert.Equal(whiteoutFiles, File.Exists(Path.Combine(upper, "etc", ".wh.a")));
        Assert.Equal(
            [".wh.bin", "dir/", "dir/.wh..wh..opq", "dir/new", "etc/", "etc/.wh.a", "tools/", "tools/.wh..wh..opq"],
            OverlayUpperReader.Read(upper, OverlayUpperMarks.For(OverlayRung.FuseOverlayfs, OverlayForm.FuseInUserNamespace)).Select(e => e.TarName));
    }

    [Fact]
    public void Short_lower_links_keep_seventy_layers_under_the_one_page_limit()
    {
        // About 4000 / (length of the link folder + 3) layers fit: 80 under a typical cache folder, where the
        // layers' own folders (sha256-<64 hex>) would allow 30.
        var links = Enumerable.Range(0, 70).Select(i => "/home/builder/.cache/kaniko-dotnet/l/0a1b2c3d/" + i).ToList();

        var options = OverlayMount.OptionsFor(OverlayRung.KernelOverlayInUserNamespace, links, "/tmp/b/upper", "/tmp/b/work");

        Assert.True(options.Length <= OverlayMount.MaxOptionsLength, options.Length + " bytes");
        Assert.StartsWith("lowerdir=/home/builder/.cache/kaniko-dotnet/l/0a1b2c3d/0:", options, StringComparison.Ordinal);
        Assert.EndsWith(",upperdir=/tmp/b/upper,workdir=/tmp/b/work,redirect_dir=nofollow,userxattr", options, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => OverlayMount.OptionsFor(OverlayRung.KernelOverlay, ["/a:b"], "/u", "/w"));
    }

    [Fact]
    public void An_overlay_mounted_in_a_private_namespace_shows_the_layers_and_writes_to_the_upper_folder()
    {
        SkipUnlessRootWithOverlay();
        var (bottom, top, upper, work, merged) = Folders();
        string? seen = null;
        Exception? failure = null;

        // unshare(CLONE_NEWNS) gives this thread alone a mount namespace; it ends with the thread.
        var thread = new Thread(() =>
        {
            try
            {
                Assert.Equal(0, OverlayNative.EnterPrivateMountNamespace());
                using var mount = OverlayMount.Mount(OverlayRung.KernelOverlay, [bottom, top], upper, work, merged, _temp.Combine("l"));
                seen = File.ReadAllText(Path.Combine(merged, "etc", "a")) + File.ReadAllText(Path.Combine(merged, "etc", "c"));
                File.WriteAllText(Path.Combine(merged, "etc", "new"), "new");
                File.Delete(Path.Combine(merged, "etc", "b"));
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal("a\nc\n", seen);
        Assert.Equal("new", File.ReadAllText(Path.Combine(upper, "etc", "new")));
        Assert.False(File.Exists(Path.Combine(merged, "etc", "a")), "the mount must not be seen outside its namespace");
        var entries = OverlayUpperReader.Read(upper, OverlayForm.Trusted);
        Assert.Contains(entries, e => e.Type == LayerEntryType.Whiteout && e.Path == "etc/b");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("l")));
    }

    [Fact]
    public void The_upper_folder_of_a_real_overlay_becomes_whiteouts_an_opaque_directory_links_and_files()
    {
        SkipUnlessRootWithOverlay();
        var (bottom, top, upper, work, merged) = Folders();
        var script = $"""
            set -e
            mount -t overlay overlay -o lowerdir={top}:{bottom},upperdir={upper},workdir={work} {merged}
            cd {merged}
            rm etc/a
            rm -r dir && mkdir dir && echo n > dir/new
            echo added > etc/new && ln etc/new etc/new-link
            ln -s ../etc/new bin/tool
            chown 1000:1001 etc/new && chmod 0640 etc/new
            cd / && umount {merged}
            """;
        using var process = Process.Start(new ProcessStartInfo("unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);

        var entries = OverlayUpperReader.Read(upper, OverlayForm.Trusted);

        Assert.Equal(
            ["bin/", "bin/tool", "dir/", "dir/.wh..wh..opq", "dir/new", "etc/", "etc/.wh.a", "etc/new", "etc/new-link"],
            entries.Select(e => e.TarName));
        var file = entries.Single(e => e.Path == "etc/new");
        Assert.Equal((1000, 1001, (UnixFileMode)0x1A0, 6L), (file.Uid, file.Gid, file.Mode, file.Size));
        Assert.Equal("etc/new", entries.Single(e => e.Path == "etc/new-link").LinkTarget);
        Assert.Equal("../etc/new", entries.Single(e => e.Path == "bin/tool").LinkTarget);
    }

    [Fact]
    public void In_a_user_namespace_the_upper_folder_of_a_userxattr_overlay_marks_a_replaced_directory_with_the_user_attribute()
    {
        SkipUnlessRootWithOverlay();
        var (bottom, top, upper, work, merged) = Folders();
        var options = OverlayMount.OptionsFor(OverlayRung.KernelOverlayInUserNamespace, [top, bottom], upper, work);
        var script = $"""
            set -e
            mount -t overlay overlay -o {options} {merged}
            cd {merged}
            rm etc/a
            rm -r dir && mkdir dir && echo n > dir/new
            cd / && umount {merged}
            """;
        // As root of a user namespace that is not the machine's, where trusted.* attributes are out of reach.
        using var process = Process.Start(new ProcessStartInfo("unshare", ["--user", "--map-root-user", "--mount", "--propagation", "private", "/bin/sh", "-c", script]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);

        Assert.Equal(["dir/", "dir/.wh..wh..opq", "dir/new", "etc/", "etc/.wh.a"], OverlayUpperReader.Read(upper, OverlayForm.UserXattr).Select(e => e.TarName));
        // The other form's reader takes user.overlay.opaque for an ordinary attribute, as root's overlay would.
        Assert.Equal(["dir/", "dir/new", "etc/", "etc/.wh.a"], OverlayUpperReader.Read(upper, OverlayForm.Trusted).Select(e => e.TarName));
        Assert.True(new OverlayLowers([bottom, upper], OverlayForm.UserXattr).Find("/dir/sub") is null);
        Assert.NotNull(new OverlayLowers([bottom, upper], OverlayForm.Trusted).Find("/dir/sub"));
    }

    [Fact]
    public void Each_rung_reads_the_store_in_its_own_form()
    {
        Assert.Equal(OverlayForm.Trusted, OverlayForm.Of(OverlayRung.KernelOverlay));
        Assert.Equal(OverlayForm.UserXattr, OverlayForm.Of(OverlayRung.KernelOverlayInUserNamespace));
        Assert.NotEqual(OverlayForm.Trusted.StoreVersion, OverlayForm.UserXattr.StoreVersion);
        Assert.EndsWith(",redirect_dir=off", OverlayMount.OptionsFor(OverlayRung.KernelOverlay, ["/l"], "/u", "/w"), StringComparison.Ordinal);
    }

    private static void SkipUnlessRootWithFuseOverlayfs()
    {
        if (!Environment.IsPrivilegedProcess || OverlayHost.FindOnPath("fuse-overlayfs") is null || OverlayHost.FindOnPath("setpriv") is null || !File.Exists("/dev/fuse"))
        {
            TestRequirements.Unavailable("needs root, fuse-overlayfs, setpriv and /dev/fuse");
        }
    }

    // The command lines of the fuse-overlayfs processes of this machine.
    private static IEnumerable<string> FuseOverlayfsProcesses() =>
        Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit))
            .Select(d =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
                }
                catch (IOException)
                {
                    return "";
                }
            })
            .Where(c => c.Contains("fuse-overlayfs", StringComparison.Ordinal));

    private static void SkipUnlessRootWithOverlay()
    {
        if (!Environment.IsPrivilegedProcess || !File.ReadAllText("/proc/filesystems").Contains("\toverlay", StringComparison.Ordinal))
        {
            Assert.Skip("needs root and the kernel's overlayfs");
        }
    }

    // Two layers (bottom: etc/a, etc/b, dir/x, bin/; top: etc/c) and the overlay's folders, all in the scratch folder.
    private (string Bottom, string Top, string Upper, string Work, string Merged) Folders()
    {
        var bottom = _temp.Combine("layers", "0");
        var top = _temp.Combine("layers", "1");
        foreach (var folder in new[] { Path.Combine(bottom, "etc"), Path.Combine(bottom, "dir", "sub"), Path.Combine(bottom, "bin"), Path.Combine(top, "etc"),
            _temp.Combine("upper"), _temp.Combine("work"), _temp.Combine("merged"), _temp.Combine("l") })
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(Path.Combine(bottom, "etc", "a"), "a\n");
        File.WriteAllText(Path.Combine(bottom, "etc", "b"), "b\n");
        File.WriteAllText(Path.Combine(bottom, "dir", "sub", "x"), "x\n");
        File.WriteAllText(Path.Combine(top, "etc", "c"), "c\n");
        return (bottom, top, _temp.Combine("upper"), _temp.Combine("work"), _temp.Combine("merged"));
    }
}
