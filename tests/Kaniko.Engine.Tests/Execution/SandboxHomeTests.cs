using System.Text;
using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The <c>HOME</c> of a <c>RUN</c> process, from the table <c>TestData/Execution/run-home.tsv</c>.</summary>
public class SandboxHomeTests
{
    private const string Passwd =
        "root:x:0:0:root:/root:/bin/sh\nx:x:1500:1500::/home/x:/bin/sh\nweb:x:1001:1001::/srv:/bin/false\n" +
        "first:x:7:1::/first:/bin/sh\nsecond:x:7:2::/second:/bin/sh\nnohome:x:8:8:::/bin/sh\n";

    public static TheoryData<string, string, string> Cases => ExecutionTable.ThreeColumns("run-home.tsv");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Home_comes_from_passwd_as_runc_sets_it(string user, string environment, string expected)
    {
        var given = environment.Length == 0 ? [] : environment.Split(' ');
        var identity = SandboxUserResolver.Resolve(user, () => Encoding.ASCII.GetBytes(Passwd), () => null);

        var result = SandboxHome.Complete(given, identity.Uid, () => Encoding.ASCII.GetBytes(Passwd));

        Assert.Equal(expected, string.Join(' ', result));
    }

    [Fact]
    public void Passwd_is_not_read_when_the_step_sets_home()
    {
        string[] environment = ["PATH=/bin", "HOME=/kept"];

        var result = SandboxHome.Complete(environment, 0, () => throw new InvalidOperationException());

        Assert.Same(environment, result);
    }

    [Fact]
    public void A_rootfs_without_passwd_gives_the_root_directory()
    {
        Assert.Equal(SandboxHome.Fallback, SandboxHome.Find(0, () => null));
        Assert.Equal("/", SandboxHome.Fallback);
    }
}
