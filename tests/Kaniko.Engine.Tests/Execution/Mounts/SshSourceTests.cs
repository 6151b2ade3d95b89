using System.Net.Sockets;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution.Mounts;

/// <summary><c>--ssh</c> parsing: agent sockets only.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshSourceTests : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-ssh-");
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public SshSourceTests()
    {
        _socket.Bind(new UnixDomainSocketEndPoint(Socket));
        File.WriteAllText(_directory.Combine("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    }

    private string Socket => _directory.Combine("agent");

    [Fact]
    public void DefaultAlone_IsTheAgentAtSshAuthSock()
    {
        var source = SshSource.Parse("default", name => name == "SSH_AUTH_SOCK" ? Socket : null);

        Assert.Equal(new SshSource("default", Socket), source);
    }

    [Fact]
    public void IdWithPath_IsThatSocket()
    {
        Assert.Equal(new SshSource("deploy", Socket), SshSource.Parse("deploy=" + Socket, _ => null));
    }

    [Theory]
    [InlineData("default", "SSH_AUTH_SOCK is set")]
    [InlineData("=x", "the id is empty")]
    [InlineData("deploy={dir}/id_ed25519", "key files are not supported, only SSH agent sockets")]
    [InlineData("deploy={dir}/agent,{dir}/id_ed25519", "key files, which are not supported")]
    [InlineData("deploy={dir}/missing", "does not exist")]
    public void Refuses_WithAClearReason(string spec, string reason)
    {
        var error = Assert.Throws<KanikoException>(() => SshSource.Parse(spec.Replace("{dir}", _directory.Path, StringComparison.Ordinal), _ => null));

        Assert.Equal(DiagnosticCodes.SshSpecInvalid, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Dispose();
    }
}
