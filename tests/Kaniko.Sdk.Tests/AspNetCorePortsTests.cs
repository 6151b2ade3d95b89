using Kaniko.Tasks;

namespace Kaniko.Sdk.Tests;

public class AspNetCorePortsTests
{
    [Fact]
    public void Ports_come_from_the_three_variables_once_each_as_tcp()
    {
        var environment = AspNetCorePorts.Parse([
            "PATH=/usr/bin", "ASPNETCORE_HTTP_PORTS=8080;8081", "ASPNETCORE_HTTPS_PORTS=8443",
            "ASPNETCORE_URLS=http://+:8080;https://[::1]:5001/base;bad", "IGNORED",
        ]);

        Assert.Equal(["8080/tcp", "8081/tcp", "8443/tcp", "5001/tcp"], AspNetCorePorts.FromEnvironment(environment));
    }

    [Fact]
    public void No_variables_no_ports() => Assert.Empty(AspNetCorePorts.FromEnvironment(AspNetCorePorts.Parse(["PATH=/bin"])));
}
