using System.Net;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>
/// Docker Hub's images are named <c>docker.io/...</c>, but its registry API is served by
/// <c>registry-1.docker.io</c>: <c>https://docker.io/v2/</c> answers with a redirect to the web site.
/// </summary>
public sealed class DockerHubEndpointTests
{
    [Theory]
    [InlineData("alpine:3.20")]
    [InlineData("docker.io/library/alpine:3.20")]
    [InlineData("index.docker.io/library/alpine:3.20")]
    public async Task Docker_hub_requests_go_to_its_registry_host(string image)
    {
        var recorder = new RecordingHandler();
        using var client = new RegistryClient(
            new RegistryOptions { PullRetries = 0 }, new ChainedKeychain(), transportWrapper: _ => recorder);

        await Assert.ThrowsAnyAsync<KanikoException>(() => client.GetManifestAsync(ImageReference.Parse(image), TestContext.Current.CancellationToken));

        Assert.NotEmpty(recorder.Hosts);
        Assert.All(recorder.Hosts, host => Assert.Equal("registry-1.docker.io", host));
    }

    /// <summary>Answers every request with 404 and remembers the hosts asked.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Hosts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Hosts)
            {
                Hosts.Add(request.RequestUri!.Host);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request });
        }
    }
}
