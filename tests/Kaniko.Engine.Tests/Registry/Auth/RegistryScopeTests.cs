using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry.Auth;

public class RegistryScopeTests
{
    [Fact]
    public void The_common_scopes_have_their_wire_form()
    {
        Assert.Equal("repository:library/alpine:pull", RegistryScope.RepositoryPull("library/alpine").ToString());
        Assert.Equal("repository:team/app:pull,push", RegistryScope.RepositoryPush("team/app").ToString());
        Assert.Equal("registry:catalog:*", RegistryScope.Catalog.ToString());
    }

    [Theory]
    [InlineData("repository:team/app:pull", "repository", "team/app", "pull")]
    [InlineData("repository:team/app:pull,push", "repository", "team/app", "pull,push")]
    [InlineData("registry:catalog:*", "registry", "catalog", "*")]
    [InlineData("repository:reg.test:5000/app:pull", "repository", "reg.test:5000/app", "pull")]
    [InlineData("repository:app:push,pull,push", "repository", "app", "push,pull")]
    public void Parses(string text, string type, string name, string actions)
    {
        var scope = RegistryScope.Parse(text);

        Assert.Equal((type, name, actions), (scope.ResourceType, scope.ResourceName, string.Join(',', scope.Actions)));
    }

    [Theory]
    [InlineData("repository")]
    [InlineData("repository:app")]
    [InlineData("repository:app:")]
    [InlineData(":app:pull")]
    [InlineData("repository::pull")]
    public void Rejects_malformed_text(string text) => Assert.Throws<FormatException>(() => RegistryScope.Parse(text));

    [Fact]
    public void Normalize_merges_actions_per_resource_and_sorts()
    {
        var scopes = RegistryScope.Normalize(
        [
            RegistryScope.RepositoryPull("b"),
            new RegistryScope("repository", "a", ["push"]),
            RegistryScope.RepositoryPull("a"),
            RegistryScope.Catalog,
        ]);

        Assert.Equal("registry:catalog:* repository:a:pull,push repository:b:pull", string.Join(' ', scopes));
    }

    [Fact]
    public void Equality_is_by_value()
    {
        Assert.Equal(RegistryScope.RepositoryPush("a"), RegistryScope.Parse("repository:a:pull,push"));
        Assert.NotEqual(RegistryScope.RepositoryPush("a"), RegistryScope.RepositoryPull("a"));
        Assert.True(RegistryScope.RepositoryPush("a").Covers(RegistryScope.RepositoryPull("a")));
        Assert.False(RegistryScope.RepositoryPull("a").Covers(RegistryScope.RepositoryPush("a")));
    }

    [Fact]
    public void Cache_keys_ignore_scope_order()
    {
        var one = TokenCacheKey.For("Reg.Test", "svc", [RegistryScope.RepositoryPull("a"), RegistryScope.RepositoryPull("b")]);
        var two = TokenCacheKey.For("reg.test", "svc", [RegistryScope.RepositoryPull("b"), RegistryScope.RepositoryPull("a")]);

        Assert.Equal(one, two);
        Assert.NotEqual(one, TokenCacheKey.For("reg.test", "other", [RegistryScope.RepositoryPull("a"), RegistryScope.RepositoryPull("b")]));
    }
}
