using System.Diagnostics;
using System.Net;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests;

[Trait("Category", "Integration")]
public sealed class RegistryFixtureTests(RegistryFixture registry)
{
    [Fact]
    public async Task Registry_answers_v2_with_the_distribution_api_version()
    {
        using var client = new HttpClient { BaseAddress = registry.BaseAddress };

        using var response = await client.GetAsync(new Uri("v2/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
        Assert.StartsWith("127.0.0.1:", registry.Host, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_a_fixture_stops_its_registry_process_and_deletes_its_directory()
    {
        var own = new RegistryFixture();
        await own.InitializeAsync();
        int processId;
        string directory;
        try
        {
            processId = own.ProcessId;
            directory = own.WorkingDirectory;
            Assert.NotEqual(registry.ProcessId, processId);
            Assert.True(File.Exists(Path.Combine(directory, "registry.log")));
        }
        finally
        {
            await own.DisposeAsync();
        }

        Assert.Throws<ArgumentException>(() => Process.GetProcessById(processId));
        Assert.False(Directory.Exists(directory), directory + " still exists");
    }

    [Fact]
    public async Task A_registry_that_exits_at_once_fails_with_its_output()
    {
        // /bin/false stands in for a registry binary that rejects its configuration.
        var options = new RegistryServerOptions { BinaryPath = "/bin/false" };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => RegistryServer.StartAsync(options, TestContext.Current.CancellationToken));

        Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("log tail", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_listens_on_loopback_only_with_deletes_enabled()
    {
        var yaml = RegistryConfiguration.Create(RegistryServerOptions.Default, 5123, "/var/tmp/it's here");

        Assert.Contains("  addr: 127.0.0.1:5123\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  delete:\n    enabled: true\n", yaml, StringComparison.Ordinal);
        Assert.Contains("rootdirectory: '/var/tmp/it''s here'\n", yaml, StringComparison.Ordinal);
    }
}
