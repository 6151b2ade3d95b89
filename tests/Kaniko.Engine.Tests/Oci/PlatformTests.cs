using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class PlatformTests
{
    public static TheoryData<string> Specifiers => OciTestData.FirstColumn("platforms.tsv");

    public static TheoryData<string, string, string> MatchRows
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var row in OciTestData.Table(Path.Combine(OciTestData.Directory, "platform-matches.tsv")))
            {
                data.Add(row[0], row[1], row[2]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Specifiers))]
    public void Parse_and_normalise_as_the_table_says(string specifier)
    {
        var row = OciTestData.Row("platforms.tsv", specifier);
        if (row[1] == "!error")
        {
            var error = Assert.Throws<KanikoException>(() => Platform.Parse(specifier));
            Assert.Equal(DiagnosticCodes.InvalidPlatform, error.Code);
            Assert.Contains($"\"{specifier}\"", error.Message, StringComparison.Ordinal);
            return;
        }

        var platform = Platform.Parse(specifier);
        Assert.Equal(row[1], platform.ToString());
        Assert.Equal(row[2], platform.Normalize().ToString());
        Assert.True(platform.Matches(platform.Normalize()));
    }

    [Theory]
    [MemberData(nameof(MatchRows))]
    public void Matches_as_the_table_says(string wanted, string offered, string expected)
    {
        Assert.Equal(expected == "match", Platform.Parse(wanted).Matches(Platform.Parse(offered)));
    }

    [Fact]
    public void A_bare_os_takes_this_machines_architecture()
    {
        var platform = Platform.Parse("linux");

        Assert.Equal("linux", platform.Os);
        Assert.Equal(Platform.Current.Architecture, platform.Architecture);
    }

    [Fact]
    public void Current_and_default_target_describe_this_machine()
    {
        Assert.False(string.IsNullOrEmpty(Platform.Current.Os));
        Assert.False(string.IsNullOrEmpty(Platform.Current.Architecture));
        Assert.Equal("linux", Platform.DefaultBuildTarget.Os);
        Assert.Equal(Platform.Current.Architecture, Platform.DefaultBuildTarget.Architecture);
    }

    [Fact]
    public void Equality_compares_list_contents()
    {
        var a = new Platform { Os = "windows", Architecture = "amd64", OsFeatures = ["win32k"] };
        var b = new Platform { Os = "windows", Architecture = "amd64", OsFeatures = new List<string> { "win32k" } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, b with { OsFeatures = null });
    }

    [Fact]
    public void Required_os_features_must_be_offered()
    {
        var wanted = new Platform { Os = "windows", Architecture = "amd64", OsFeatures = ["win32k"] };

        Assert.True(wanted.Matches(wanted with { OsFeatures = ["win32k", "other"] }));
        Assert.False(wanted.Matches(wanted with { OsFeatures = null }));
    }

    [Fact]
    public void Serialises_with_the_spec_field_names()
    {
        var descriptor = new Descriptor
        {
            MediaType = MediaType.OciManifest,
            Digest = Digest.EmptySha256,
            Size = 0,
            Platform = new Platform { Os = "windows", Architecture = "amd64", OsVersion = "10.0.17763", OsFeatures = ["win32k"], Variant = "v2" },
        };

        var json = Encoding.UTF8.GetString(RawJson<Descriptor>.Serialize(descriptor).Bytes.Span);

        Assert.EndsWith(
            "\"platform\":{\"architecture\":\"amd64\",\"os\":\"windows\",\"os.version\":\"10.0.17763\",\"os.features\":[\"win32k\"],\"variant\":\"v2\"}}",
            json,
            StringComparison.Ordinal);
    }
}
