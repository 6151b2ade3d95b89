using Kaniko.Engine.Registry.Auth;
using Kaniko.Tasks;

namespace Kaniko.Sdk.Tests;

/// <summary>The .NET SDK's credential variables, in its order, and never offered to a registry they are not for.</summary>
public class DotnetContainerKeychainTests
{
    private const string Output = "registry.example:5000";

    [Theory]
    [InlineData("DOTNET_CONTAINER_PUSH_REGISTRY", "push")]
    [InlineData("DOTNET_CONTAINER_REGISTRY", "generic")]
    [InlineData("SDK_CONTAINER_REGISTRY", "legacy")]
    public async Task The_registry_pushed_to_takes_the_first_complete_pair_in_the_dotnet_SDKs_order(string winner, string user)
    {
        var variables = new Dictionary<string, string>
        {
            ["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME"] = "push",
            ["DOTNET_CONTAINER_REGISTRY_UNAME"] = "generic",
            ["SDK_CONTAINER_REGISTRY_UNAME"] = "legacy",
            [winner + "_PWORD"] = "secret",
        };
        var keychain = new DotnetContainerKeychain([Output], variables.GetValueOrDefault);

        var credential = await keychain.ResolveAsync(Output, TestContext.Current.CancellationToken);

        Assert.Equal(user, credential.Username);
        Assert.Equal("secret", credential.Password);
    }

    [Fact]
    public async Task Another_registry_gets_only_the_pull_pair()
    {
        var variables = new Dictionary<string, string>
        {
            ["DOTNET_CONTAINER_REGISTRY_UNAME"] = "generic",
            ["DOTNET_CONTAINER_REGISTRY_PWORD"] = "secret",
        };
        var keychain = new DotnetContainerKeychain([Output], variables.GetValueOrDefault);

        Assert.True((await keychain.ResolveAsync("base.example", TestContext.Current.CancellationToken)).IsAnonymous);

        variables["DOTNET_CONTAINER_PULL_REGISTRY_UNAME"] = "puller";
        variables["DOTNET_CONTAINER_PULL_REGISTRY_PWORD"] = "pull-secret";
        Assert.Equal("puller", (await keychain.ResolveAsync("base.example", TestContext.Current.CancellationToken)).Username);
    }
}
