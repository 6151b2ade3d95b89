using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Mounts;

/// <summary>The read-only agent proxy, driven by OpenSSH's own <c>ssh-add</c>.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshAgentProxyTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task ListsTheAgentsKeys_ButRefusesToChangeTheAgent()
    {
        using var root = new TempDirectory("kaniko-ssh-");
        using var agent = await SshAgent.StartAsync(root.Combine("agent"));
        var add = TestRequirements.Executable("ssh-add");
        using var proxy = SshAgentProxy.Start(agent.SocketPath, root.Combine("proxy"), CopyOwner.Root, (UnixFileMode)0x180);

        var listed = await ExternalTools.RunAsync("/usr/bin/env", ["SSH_AUTH_SOCK=" + proxy.SocketPath, add, "-l"], cancellationToken: TestContext.Current.CancellationToken);
        var deleted = await ExternalTools.RunAsync("/usr/bin/env", ["SSH_AUTH_SOCK=" + proxy.SocketPath, add, "-D"], cancellationToken: TestContext.Current.CancellationToken);
        var still = await ExternalTools.RunAsync("/usr/bin/env", ["SSH_AUTH_SOCK=" + agent.SocketPath, add, "-l"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(listed.ExitCode == 0, listed.StandardError);
        Assert.Contains("kaniko-test (ED25519)", listed.StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, deleted.ExitCode);
        Assert.Contains("kaniko-test (ED25519)", still.StandardOutput, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(proxy.SocketPath));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Dispose_RemovesTheSocket()
    {
        using var root = new TempDirectory("kaniko-ssh-");
        using var agent = await SshAgent.StartAsync(root.Combine("agent"));
        var proxy = SshAgentProxy.Start(agent.SocketPath, root.Combine("proxy"), CopyOwner.Root, (UnixFileMode)0x180);

        proxy.Dispose();

        Assert.False(File.Exists(root.Combine("proxy")));
    }
}
