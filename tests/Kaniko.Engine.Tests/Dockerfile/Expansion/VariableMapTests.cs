using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Tests.Dockerfile.Expansion;

public sealed class VariableMapTests
{
    [Fact]
    public void Names_keep_their_first_place_when_set_again()
    {
        var map = new VariableMap();
        map.Set("PATH", "/bin");
        map.Set("HOME", "/root");
        map.Set("PATH", "/usr/bin");

        Assert.Equal(["PATH", "HOME"], map.Names);
        Assert.Equal("/usr/bin", map["PATH"]);
        Assert.Equal(2, map.Count);
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        var map = new VariableMap([new("path", "lower")]);

        Assert.True(map.TryGetValue("path", out _));
        Assert.False(map.TryGetValue("PATH", out _));
        Assert.False(map.Contains("Path"));
    }

    [Fact]
    public void An_empty_value_is_set()
    {
        var map = new VariableMap([new("EMPTY", "")]);

        Assert.True(map.TryGetValue("EMPTY", out var value));
        Assert.Equal("", value);
    }

    [Fact]
    public void A_copy_is_independent()
    {
        var original = new VariableMap([new("A", "1")]);
        var copy = new VariableMap(original);

        copy.Set("B", "2");
        original.Remove("A");

        Assert.Equal(["A", "B"], copy.Names);
        Assert.Empty(original.Names);
    }

    [Fact]
    public void Remove_reports_whether_the_name_was_set()
    {
        var map = new VariableMap([new("A", "1")]);

        Assert.True(map.Remove("A"));
        Assert.False(map.Remove("A"));
    }

    [Fact]
    public void Enumeration_follows_the_order_of_the_names()
    {
        var map = new VariableMap([new("Z", "1"), new("A", "2")]);

        Assert.Equal([new("Z", "1"), new KeyValuePair<string, string>("A", "2")], map.ToList());
    }
}
