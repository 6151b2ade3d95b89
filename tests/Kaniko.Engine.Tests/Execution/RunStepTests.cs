using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The pure parts of running a <c>RUN</c> step: its sandbox spec, the program check, the script interpreter.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunStepTests
{
    private static readonly RunCommandSpec Command = new(["/bin/sh", "-c", "true"], ["PATH=/bin"], "", "/");

    private static RunInstruction Run(string original, RunNetwork network = RunNetwork.Default, RunSecurity security = RunSecurity.Sandbox, string[]? mounts = null) => new()
    {
        Keyword = "RUN",
        Original = original + "\n  && more",
        Range = new SourceRange("Dockerfile", 4, 5),
        CommandLine = ["true"],
        PrependShell = true,
        Network = network,
        NetworkGiven = network != RunNetwork.Default,
        Security = security,
        SecurityGiven = security != RunSecurity.Sandbox,
        MountSpecs = mounts ?? [],
    };

    [Theory]
    [InlineData(RunNetwork.Default, SandboxNetwork.Shared)]
    [InlineData(RunNetwork.Host, SandboxNetwork.Shared)]
    [InlineData(RunNetwork.None, SandboxNetwork.None)]
    public void The_network_flag_becomes_the_sandbox_network(object network, object expected)
    {
        var spec = RunStepRunner.CreateSpec(Run("RUN true", (RunNetwork)network), Command, "/rootfs");

        Assert.Equal((SandboxNetwork)expected, spec.Network);
        Assert.Equal(("/rootfs", "/bin/sh"), (spec.RootFs, spec.Args[0]));
    }

    [Fact]
    public void Security_insecure_is_refused_at_the_step_and_sandbox_is_accepted()
    {
        var error = Assert.Throws<KanikoException>(() => RunStepRunner.CreateSpec(Run("RUN --security=insecure true", security: RunSecurity.Insecure), Command, "/r"));

        Assert.Equal(DiagnosticCodes.RunSecurityInsecure, error.Code);
        Assert.StartsWith("Dockerfile:4: RUN --security=insecure true: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(SandboxNetwork.Shared, RunStepRunner.CreateSpec(Run("RUN --security=sandbox true"), Command, "/r").Network);
    }

    [Theory]
    [InlineData("#!/bin/sh\necho", "/bin/sh")]
    [InlineData("#!/usr/bin/env python3\nprint()", "/usr/bin/env")]
    [InlineData("#!  /bin/bash -e\n", "/bin/bash")]
    [InlineData("echo no shebang\n", null)]
    [InlineData("#!\n", null)]
    public void The_interpreter_is_the_first_word_of_the_shebang(string script, string? expected) =>
        Assert.Equal(expected, RunProgram.Interpreter(script));

    [Fact]
    public void Programs_are_found_by_path_or_on_the_path_with_links_followed_inside_the_root()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("bin"));
        Directory.CreateDirectory(root.Combine("work"));
        File.WriteAllText(root.Combine("bin", "busybox"), "");
        File.CreateSymbolicLink(root.Combine("bin", "sh"), "busybox");
        // An absolute link target is the root's, not the machine's.
        File.CreateSymbolicLink(root.Combine("bin", "bash"), "/bin/busybox");
        File.CreateSymbolicLink(root.Combine("bin", "dangling"), "/usr/bin/missing");
        File.WriteAllText(root.Combine("work", "tool"), "");

        Assert.True(RunProgram.Exists(root.Path, "/bin/sh", "/", "/bin"));
        Assert.True(RunProgram.Exists(root.Path, "bash", "/", "/usr/bin:/bin"));
        Assert.True(RunProgram.Exists(root.Path, "./tool", "/work", "/bin"));
        Assert.False(RunProgram.Exists(root.Path, "sh", "/", "/usr/bin"));
        Assert.False(RunProgram.Exists(root.Path, "/bin/dangling", "/", "/bin"));
        Assert.False(RunProgram.Exists(root.Path, "/bin/ls", "/", "/bin"));
    }

    [Fact]
    public void The_missing_program_error_names_it_and_the_path_searched()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("etc"));
        var spec = new SandboxSpec(root.Path, ["make", "all"], ["PATH=/usr/bin:/bin"], "", "/");

        var error = Assert.Throws<KanikoException>(() => RunProgram.EnsureExists(spec, Run("RUN [\"make\", \"all\"]")));

        Assert.Equal(DiagnosticCodes.RunProgramNotFound, error.Code);
        Assert.Equal("Dockerfile:4: RUN [\"make\", \"all\"]: cannot start \"make\": it is not in the stage's filesystem (looked in PATH=/usr/bin:/bin)", error.Message);
    }

    [Fact]
    public void A_script_needs_only_its_interpreter()
    {
        using var root = new TempDirectory();
        Directory.CreateDirectory(root.Combine("bin"));
        File.WriteAllText(root.Combine("bin", "sh"), "");
        var script = new RunScript("/dev/pipes/EOF", "#!/bin/sh\necho hi\n");
        var spec = new SandboxSpec(root.Path, ["/dev/pipes/EOF"], [], "", "/") { Script = script };

        RunProgram.EnsureExists(spec, Run("RUN <<EOF"));
        var error = Assert.Throws<KanikoException>(() => RunProgram.EnsureExists(
            spec with { Script = script with { Content = "#!/usr/bin/python3\n" } }, Run("RUN <<EOF")));

        Assert.Contains("cannot start \"/usr/bin/python3\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cleanup_removes_read_only_trees_and_leaves_links_targets_alone()
    {
        using var work = new TempDirectory();
        var outside = work.Combine("outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "keep"), "k");
        var rootfs = work.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "locked", "inner"));
        File.WriteAllText(Path.Combine(rootfs, "locked", "inner", "f"), "f");
        File.CreateSymbolicLink(Path.Combine(rootfs, "link"), outside);
        File.SetUnixFileMode(Path.Combine(rootfs, "locked", "inner"), (UnixFileMode)0x16D);
        File.SetUnixFileMode(Path.Combine(rootfs, "locked"), (UnixFileMode)0x16D);

        RootFsCleanup.Remove(rootfs);

        Assert.False(Directory.Exists(rootfs));
        Assert.True(File.Exists(Path.Combine(outside, "keep")));
        RootFsCleanup.Remove(rootfs);
        Assert.Empty(RootFsCleanup.MountPointsBelow(rootfs));
    }
}
