using System.Net.Sockets;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary><c>--secret</c> and <c>--ssh</c> reach the request; a malformed one is a usage error.</summary>
public sealed class SecretAndSshFlagTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-secret-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Secrets_and_agents_bind_to_the_request()
    {
        var file = _temp.Combine("token");
        File.WriteAllText(file, "value");
        var socketPath = _temp.Combine("agent");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var environment = new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = socketPath, ["NPM_TOKEN"] = "x" };

        var parse = KanikoCommandLine.Create().Parse(
            ["build", "--secret", "id=token,src=" + file, "--secret", "id=NPM_TOKEN", "--secret", "id=api,env=API", "--ssh", "default", "--ssh", "deploy=" + socketPath]);
        var request = BuildOptions.Bind(parse, name => environment.GetValueOrDefault(name));

        Assert.Equal(
            [("token", file, null), ("NPM_TOKEN", null, "NPM_TOKEN"), ("api", null, "API")],
            request.Secrets.Select(s => (s.Id, s.FilePath, s.EnvironmentVariable)));
        Assert.Equal([("default", socketPath), ("deploy", socketPath)], request.SshAgents.Select(a => (a.Id, a.SocketPath)));
    }

    [Theory]
    [InlineData("--secret", "src=file", "KANIKO4600")]
    [InlineData("--secret", "id=a,src=/nonexistent/kaniko-secret", "KANIKO4601")]
    [InlineData("--ssh", "deploy=/nonexistent/kaniko-agent", "KANIKO4603")]
    public void A_malformed_value_is_a_usage_error(string option, string value, string code)
    {
        File.WriteAllText(_temp.Combine("Dockerfile"), "FROM alpine\n");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = KanikoCommandLine.Run(["build", "--no-push", "--context", _temp.Path, option, value], output, error);

        Assert.Equal(2, exitCode);
        Assert.Contains($"[{code}]", error.ToString(), StringComparison.Ordinal);
    }
}
