using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Caching;

public sealed class CacheKeyTests
{
    [Fact]
    public void The_same_fields_give_the_same_key_and_the_key_is_lower_case_hex()
    {
        var first = new CacheKeyBuilder().Add("a", "1").Add("b", ["x", "y"]).Build();
        var second = new CacheKeyBuilder().Add("a", "1").Add("b", ["x", "y"]).Build();

        Assert.Equal(first, second);
        Assert.True(CacheKey.IsWellFormed(first.Value));
    }

    [Fact]
    public void The_key_of_a_known_text_is_pinned()
    {
        // Changing the canonical text changes every key; bump CacheKeyBuilder.Version when that is meant.
        var key = new CacheKeyBuilder().Add("parent", "p").Add("instruction", "COPY a /b").Build();

        Assert.Equal("kaniko-dotnet layer cache v1\nparent 1:p\ninstruction 9:COPY a /b\n", new CacheKeyBuilder().Add("parent", "p").Add("instruction", "COPY a /b").Text);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            "kaniko-dotnet layer cache v1\nparent 1:p\ninstruction 9:COPY a /b\n"u8)), key.Value);
    }

    public static TheoryData<string, string> DifferentTexts => new()
    {
        { "null and empty", "a|null ; a|" },
        { "a newline cannot forge a field", "a|1\nb 1:2 ; a|1 ; b|2" },
        { "order of fields", "a|1 ; b|2 ; b|2 ; a|1" },
        { "field names", "a|1 ; b|1" },
        { "list order", "l|x,y ; l|y,x" },
        { "list split", "l|xy ; l|x,y" },
    };

    [Theory]
    [MemberData(nameof(DifferentTexts))]
    public void Different_fields_give_different_keys(string name, string fields)
    {
        // Each side: "field|value" entries separated by " ; "; the two keys of a row are split at the middle entry count.
        _ = name;
        var entries = fields.Split(" ; ");
        var half = entries.Length / 2;
        Assert.NotEqual(Key(entries[..half]), Key(entries[half..]));
    }

    private static CacheKey Key(IEnumerable<string> entries)
    {
        var builder = new CacheKeyBuilder();
        foreach (var entry in entries)
        {
            var bar = entry.IndexOf('|', StringComparison.Ordinal);
            var (field, value) = (entry[..bar], entry[(bar + 1)..]);
            if (field == "l")
            {
                builder.Add(field, value.Split(','));
            }
            else
            {
                builder.Add(field, value == "null" ? null : value);
            }
        }

        return builder.Build();
    }

    [Fact]
    public void Ttl_is_a_go_duration_and_not_negative()
    {
        // GoDuration's own tests cover the syntax; the flag adds the sign rule and its code.
        Assert.Equal(TimeSpan.FromHours(336), LayerCacheOptions.ParseTtl("336h"));
        Assert.Equal(TimeSpan.FromMinutes(90), LayerCacheOptions.ParseTtl("1h30m"));
        Assert.Equal(DiagnosticCodes.InvalidCacheTtl, Assert.Throws<KanikoException>(() => LayerCacheOptions.ParseTtl("-1h")).Code);
        Assert.Equal(DiagnosticCodes.InvalidCacheTtl, Assert.Throws<KanikoException>(() => LayerCacheOptions.ParseTtl("2 weeks")).Code);
    }

    [Fact]
    public void The_defaults_are_kanikos()
    {
        var options = new LayerCacheOptions();

        Assert.False(options.Enabled);
        Assert.Equal(TimeSpan.FromHours(336), options.Ttl);
        Assert.False(options.CopyLayers);
        Assert.True(options.RunLayers);
        Assert.Null(options.Repository);
    }
}
