using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The <c>RUN</c> user resolution, from the table <c>TestData/Execution/run-users.tsv</c>.</summary>
public class SandboxUserResolverTests
{
    private const string Passwd =
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nweb:x:1001:1001::/srv:/bin/false\n" +
        "first:x:7:1::/:/bin/sh\nsecond:x:7:2::/:/bin/sh\n";

    private const string Group =
        "root:x:0:\nwheel:x:10:root\n# a comment:x:11:app\nstaff:x:50:app\naudio:x:29:other,app\napp:x:1000:\n";

    public static TheoryData<string, string, string> Cases => ExecutionTable.ThreeColumns("run-users.tsv");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resolves_as_BuildKit_does(string user, string expected, string message)
    {
        if (expected.StartsWith("KANIKO", StringComparison.Ordinal))
        {
            var error = Assert.Throws<KanikoException>(() => Resolve(user));
            Assert.Equal(expected, error.Code.ToString());
            Assert.Equal(message, error.Detail);
            return;
        }

        var identity = Resolve(user);

        Assert.Equal(expected, $"{identity.Uid}:{identity.Gid}:{identity.GroupList}");
    }

    [Fact]
    public void Missing_files_leave_numeric_users_and_default_to_root()
    {
        Assert.Equal("0:0:0", Describe(SandboxUserResolver.Resolve(string.Empty, () => null, () => null)));
        Assert.Equal("5:0:0", Describe(SandboxUserResolver.Resolve("5", () => null, () => null)));
        Assert.Equal(DiagnosticCodes.RunUserNotFound,
            Assert.Throws<KanikoException>(() => SandboxUserResolver.Resolve("app", () => null, () => null)).Code);
    }

    [Fact]
    public void Fast_path_does_not_read_the_files()
    {
        var identity = SandboxUserResolver.Resolve("12:34", () => throw new InvalidOperationException(), () => throw new InvalidOperationException());

        Assert.Equal("12:34:34", Describe(identity));
    }

    [Fact]
    public void Run_spec_becomes_a_sandbox_spec()
    {
        var run = new RunCommandSpec(["/bin/sh", "-c", "make"], ["PATH=/bin"], "app", "/src", new RunScript("/dev/pipes/EOF", "#!/bin/sh\n"));

        var spec = SandboxSpec.FromRun(run, "/var/lib/rootfs");

        Assert.Equal(new SandboxSpec("/var/lib/rootfs", run.Args, run.Environment, "app", "/src") { Script = run.Script }, spec);
        Assert.Equal(SandboxNetwork.Shared, spec.Network);
        Assert.Equal(SandboxSpec.DefaultHostname, spec.Hostname);
    }

    private static SandboxIdentity Resolve(string user) =>
        SandboxUserResolver.Resolve(user, () => Encoding.ASCII.GetBytes(Passwd), () => Encoding.ASCII.GetBytes(Group));

    private static string Describe(SandboxIdentity identity) => $"{identity.Uid}:{identity.Gid}:{identity.GroupList}";
}
