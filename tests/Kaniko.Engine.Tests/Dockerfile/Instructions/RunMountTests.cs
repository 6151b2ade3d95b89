using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Tests.Dockerfile.Instructions;

public class RunMountTests
{
    private static readonly SourceRange Range = SourceRange.Line("Dockerfile", 3);

    private static RunMount Parse(string spec) => RunMount.Parse(spec, w => w, Range);

    [Fact]
    public void Bind_is_the_default_type_and_read_only()
    {
        var mount = Parse("target=/src,source=app");

        Assert.Equal(RunMountType.Bind, mount.Type);
        Assert.True(mount.ReadOnly);
        Assert.Equal("app", mount.Source);
        Assert.Equal("/src", mount.Target);
    }

    [Fact]
    public void Cache_mounts_are_writable_and_take_file_info()
    {
        var mount = Parse("type=cache,id=go,dst=/root/.cache,sharing=private,mode=0700,uid=1000,gid=1001,from=base");

        Assert.Equal(RunMountType.Cache, mount.Type);
        Assert.False(mount.ReadOnly);
        Assert.Equal("go", mount.Id);
        Assert.Equal(CacheSharing.Private, mount.Sharing);
        Assert.Equal(0b111_000_000u, mount.Mode);
        Assert.Equal(1000u, mount.Uid);
        Assert.Equal(1001u, mount.Gid);
        Assert.Equal("base", mount.From);
    }

    [Theory]
    [InlineData("64m", 64L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    [InlineData("512", 512L)]
    [InlineData("2KiB", 2048L)]
    [InlineData("1.5k", 1536L)]
    public void Tmpfs_size_uses_binary_units(string size, long bytes) =>
        Assert.Equal(bytes, Parse("type=tmpfs,target=/t,size=" + size).SizeLimit);

    [Fact]
    public void Secret_and_ssh_options()
    {
        var secret = Parse("type=secret,id=npm,target=/root/.npmrc,required,env=NPM_TOKEN,mode=0400");
        var ssh = Parse("type=ssh,required=true");

        Assert.True(secret.Required);
        Assert.True(secret.ReadOnly);
        Assert.Equal("NPM_TOKEN", secret.Env);
        Assert.Equal(256u, secret.Mode);
        Assert.Equal(RunMountType.Ssh, ssh.Type);
        Assert.True(ssh.Required);
    }

    [Theory]
    [InlineData("ro", true)]
    [InlineData("readonly=false", false)]
    [InlineData("rw", false)]
    [InlineData("readwrite=true", false)]
    [InlineData("rw=0", true)]
    public void Read_write_options(string option, bool readOnly) =>
        Assert.Equal(readOnly, Parse("type=cache,target=/c," + option).ReadOnly);

    [Fact]
    public void Quoted_csv_fields_may_hold_commas()
    {
        var mount = Parse("type=bind,\"source=a,b\",target=/x");

        Assert.Equal("a,b", mount.Source);
        Assert.Equal("type=bind,\"source=a,b\",target=/x", mount.Format());
    }

    [Fact]
    public void Values_are_expanded_before_they_are_checked()
    {
        var variables = new Dictionary<string, string> { ["$UID"] = "42", ["$DIR"] = "/cache" };

        var mount = RunMount.Parse("type=cache,target=$DIR,uid=$UID", w => variables.GetValueOrDefault(w, w), Range);

        Assert.Equal("/cache", mount.Target);
        Assert.Equal(42u, mount.Uid);
    }

    [Fact]
    public void Without_an_expander_variable_values_are_kept_for_later()
    {
        var mount = RunMount.Parse("type=cache,target=$DIR,uid=$UID", null, Range);

        Assert.Equal("$DIR", mount.Target);
        Assert.Null(mount.Uid);
    }

    [Theory]
    [InlineData("type=nfs", "unsupported mount type \"nfs\"")]
    [InlineData("type=cache,sharing=everyone", "unsupported sharing value \"everyone\"")]
    [InlineData("type=bind,size=1m", "unexpected key 'size' for mount type 'bind'")]
    [InlineData("type=cache,required", "unexpected key 'required' for mount type 'cache'")]
    [InlineData("target", "invalid field 'target' must be a key=value pair")]
    [InlineData("type=cache,ro=maybe", "invalid value for ro: maybe")]
    [InlineData("type=cache,mode=0999", "invalid value 0999 for mode")]
    [InlineData("type=tmpfs,uid=1", "uid not allowed for \"tmpfs\" type mounts")]
    [InlineData("type=cache,target=/c,uid=app", "invalid value app for uid")] // BuildKit takes numbers only, never a name
    [InlineData("type=secret,id=s,gid=staff", "invalid value staff for gid")]
    [InlineData("type=secret", "invalid secret mount. one of source, target required")]
    [InlineData("type=secret,id=a,source=b", "both source and id can't be set")]
    [InlineData("type=secret,id=a,sharing=locked", "secret mount should not define sharing")]
    [InlineData("type=bind,\"target=/x", "failed to parse csv mounts: type=bind,\"target=/x")]
    [InlineData("type=cache,weird=1", "unexpected key 'weird' in 'weird=1'")]
    public void Invalid_mounts_are_located_errors(string spec, string message)
    {
        var error = Assert.Throws<KanikoException>(() => Parse(spec));

        Assert.Equal("Dockerfile:3: " + message, error.Message);
        Assert.Equal(DiagnosticCodes.InvalidRunMount, error.Code);
    }
}
