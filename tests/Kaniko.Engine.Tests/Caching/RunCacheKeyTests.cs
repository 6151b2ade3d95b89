using System.Text;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Tests.Caching;

public sealed class RunCacheKeyTests
{
    private static readonly RunCommandSpec Command = new(["/bin/sh", "-c", "make"], ["PATH=/bin"], "", "/");

    private static RunInstruction Run(string line)
    {
        var parsed = DockerfileParser.Parse(Encoding.UTF8.GetBytes("FROM scratch\n" + line + "\n"), "Dockerfile");
        var run = (RunInstruction)InstructionParser.ParseInstruction(parsed.Nodes[1], "Dockerfile");
        return run with { Mounts = [.. run.MountSpecs.Select(spec => RunMount.Parse(spec, null, run.Range))] };
    }

    private static (bool Cacheable, CacheKeyBuilder Key) Key(string line, RunCommandSpec? command = null)
    {
        var key = new CacheKeyBuilder();
        var cacheable = RunCacheKey.TryAddAsync(key, Run(line), command ?? Command, sources: null, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return (cacheable, key);
    }

    [Fact]
    public void A_secret_mount_is_keyed_by_its_id_only()
    {
        var (cacheable, key) = Key("RUN --mount=type=secret,id=token,env=TOKEN make");

        Assert.True(cacheable);
        Assert.Contains("run.mount.id 5:token", key.Text, StringComparison.Ordinal);
        Assert.Contains("run.mount.env 5:TOKEN", key.Text, StringComparison.Ordinal);
        Assert.NotEqual(Key("RUN --mount=type=secret,id=other,env=TOKEN make").Key.Build(), key.Build());
    }

    [Fact]
    public void A_bind_mount_is_not_cached_without_its_sources()
    {
        Assert.False(Key("RUN --mount=type=bind,source=src,target=/src make").Cacheable);
        Assert.False(Key("RUN --mount=target=/src make").Cacheable);
    }

    [Theory]
    [InlineData("RUN make", "RUN --network=none make")]
    [InlineData("RUN make", "RUN --mount=type=cache,target=/root/.cache make")]
    [InlineData("RUN --mount=type=cache,id=a,target=/c make", "RUN --mount=type=cache,id=b,target=/c make")]
    [InlineData("RUN --mount=type=tmpfs,target=/t make", "RUN --mount=type=tmpfs,target=/u make")]
    public void Flags_change_the_key(string first, string second)
    {
        Assert.NotEqual(Key(first).Key.Build(), Key(second).Key.Build());
    }

    [Fact]
    public void The_command_and_its_script_change_the_key()
    {
        Assert.NotEqual(Key("RUN make").Key.Build(), Key("RUN make", Command with { Args = ["/bin/sh", "-c", "make all"] }).Key.Build());
        Assert.NotEqual(Key("RUN make").Key.Build(), Key("RUN make", Command with { Script = new RunScript("/dev/pipes/EOF", "#!/bin/sh\n") }).Key.Build());
    }

    [Fact]
    public void Directories_and_deletions_survive_the_round_trip_and_new_files_are_left_out()
    {
        static FileEntryMetadata Meta(FileEntryKind kind, int mode, int uid) => new(kind, (UnixFileMode)mode, uid, uid, 0, 0, 0, 0, 0, 0, 1, null);
        var changes = new List<FileChange>
        {
            new("/opt/tool", FileChangeKind.Added, Meta(FileEntryKind.Directory, 0x1C0, 1000)),
            new("/opt/tool/bin file", FileChangeKind.Added, Meta(FileEntryKind.RegularFile, 0x1ED, 0)),
            new("/etc/group", FileChangeKind.Deleted, null),
            new("/var/run", FileChangeKind.Modified, Meta(FileEntryKind.SymbolicLink, 0x1FF, 0)),
            new("/home", FileChangeKind.OpaqueDirectory, Meta(FileEntryKind.Directory, 0x1ED, 0)),
        };

        var lines = RunCacheKey.EncodeChanges(changes);
        var decoded = RunCacheKey.DecodeChanges(lines);

        // An added directory is fresh (n): nothing was there before the step.
        Assert.Equal(["n 700 1000 1000 /opt/tool", "x /etc/group", "x /var/run", "d 755 0 0 /home"], lines);
        Assert.Equal(["/opt/tool", "/etc/group", "/var/run", "/home"], decoded.Select(c => c.Path));
        Assert.Equal((UnixFileMode)0x1C0, decoded[0].Metadata!.Mode);
        Assert.Equal(FileEntryKind.Directory, decoded[0].Metadata!.Kind);
        Assert.Equal(FileChangeKind.Added, decoded[0].Kind);
        Assert.Equal(FileChangeKind.Deleted, decoded[1].Kind);
        Assert.Equal(FileChangeKind.Modified, decoded[3].Kind);
        Assert.Throws<FormatException>(() => RunCacheKey.DecodeChanges(["? what"]));
    }
}
