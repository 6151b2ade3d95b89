using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>WWW-Authenticate parsing: what registries send, and the corners of RFC 7235 they sometimes reach.</summary>
public class AuthChallengeTests
{
    /// <summary>Header value | expected challenges, each "Scheme{name=value;name=value}", joined by " | ".</summary>
    public static TheoryData<string, string> Cases => new()
    {
        { "Basic realm=\"Registry Realm\"", "Basic{realm=Registry Realm}" },
        { "Bearer realm=\"https://auth.test/token\",service=\"registry.test\",scope=\"repository:team/app:pull\"",
            "Bearer{realm=https://auth.test/token;service=registry.test;scope=repository:team/app:pull}" },
        // Several scopes in one parameter, separated by spaces; commas inside quotes do not split.
        { "Bearer realm=\"https://a.test/t\",scope=\"repository:a:pull,push repository:b:pull\"",
            "Bearer{realm=https://a.test/t;scope=repository:a:pull,push repository:b:pull}" },
        // The error of a refused token.
        { "Bearer realm=\"https://a.test/t\",service=\"s\",error=\"invalid_token\"", "Bearer{realm=https://a.test/t;service=s;error=invalid_token}" },
        // Escapes inside quoted strings.
        { "Basic realm=\"say \\\"hi\\\" \\\\ bye\"", "Basic{realm=say \"hi\" \\ bye}" },
        // Spaces around '=' and after commas; scheme and names in any case.
        { "bearer  REALM = \"https://a.test/t\" ,  Service=s", "bearer{realm=https://a.test/t;service=s}" },
        // Unquoted values, including characters outside the token set.
        { "Bearer realm=https://a.test/t,service=reg.test:5000,scope=repository:x/y:pull", "Bearer{realm=https://a.test/t;service=reg.test:5000;scope=repository:x/y:pull}" },
        // Several challenges in one header value.
        { "Basic realm=\"a\", Bearer realm=\"https://b.test/t\",service=\"b\"", "Basic{realm=a} | Bearer{realm=https://b.test/t;service=b}" },
        { "Negotiate, Basic realm=\"x\"", "Negotiate{} | Basic{realm=x}" },
        // A scheme without parameters, and a token68 credential.
        { "Basic", "Basic{}" },
        { "Custom abc123==, Basic realm=\"r\"", "Custom{abc123=} | Basic{realm=r}" },
        { "Custom abc123=", "Custom{abc123=}" },
        // Empty values, an unterminated quote (runs to the end), stray commas.
        { "Basic realm=\"\"", "Basic{realm=}" },
        { "Basic realm=\"open", "Basic{realm=open}" },
        { ", ,Basic realm=\"r\",,", "Basic{realm=r}" },
        { "", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parses(string header, string expected) =>
        Assert.Equal(expected, Describe(AuthChallenge.Parse(header)));

    [Fact]
    public void Several_header_values_add_up()
    {
        var challenges = AuthChallenge.Parse(["Basic realm=\"a\"", "Bearer realm=\"https://b.test/t\""]);

        Assert.Equal("Basic{realm=a} | Bearer{realm=https://b.test/t}", Describe(challenges));
    }

    [Fact]
    public void Named_parameters_are_exposed()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("Bearer realm=\"https://a.test/t\",service=\"s\",scope=\"registry:catalog:*\",error=\"insufficient_scope\""));

        Assert.True(challenge.IsBearer);
        Assert.False(challenge.IsBasic);
        Assert.Equal("https://a.test/t", challenge.Realm);
        Assert.Equal("s", challenge.Service);
        Assert.Equal("registry:catalog:*", challenge.Scope);
        Assert.Equal("insufficient_scope", challenge.Error);
        Assert.Equal("Bearer realm=\"https://a.test/t\",service=\"s\",scope=\"registry:catalog:*\",error=\"insufficient_scope\"", challenge.ToString());
    }

    [Fact]
    public void Challenges_are_read_from_a_response()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"x\"");

        Assert.Equal("Basic{realm=x}", Describe(AuthChallenge.FromResponse(response)));
    }

    private static string Describe(IEnumerable<AuthChallenge> challenges) =>
        string.Join(" | ", challenges.Select(c => c.Scheme + "{" + string.Join(';', c.Parameters.Select(p => p.Key.ToLowerInvariant() + "=" + p.Value)) + "}"));
}
