using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Tests.Execution;

public class UserFileParserTests
{
    [Fact]
    public void Passwd_lines_are_read_field_by_field()
    {
        var users = UserFileParser.ParsePasswd(Encoding.UTF8.GetBytes(
            "root:x:0:0:root:/root:/bin/bash\r\n\n   \n  app:x:1001:1002:App User:/home/app:/bin/sh  \nshort:x:7\nbad:x:nope:-3\n"));

        Assert.Equal(
            [
                new PasswdEntry("root", 0, 0, "/root", "/bin/bash"),
                new PasswdEntry("app", 1001, 1002, "/home/app", "/bin/sh"),
                new PasswdEntry("short", 7, 0, "", ""),
                new PasswdEntry("bad", 0, -3, "", ""),
            ],
            users);
    }

    [Fact]
    public void Group_lines_keep_their_members()
    {
        var groups = UserFileParser.ParseGroup(Encoding.UTF8.GetBytes("root:x:0:\nstaff:x:50:app,web\nlonely:x:9"));

        Assert.Equal(3, groups.Count);
        Assert.Equal(("root", 0), (groups[0].Name, groups[0].Gid));
        Assert.Empty(groups[0].Members);
        Assert.Equal(["app", "web"], groups[1].Members);
        Assert.Equal(("lonely", 9), (groups[2].Name, groups[2].Gid));
    }

    [Fact]
    public void Empty_files_have_no_entries()
    {
        Assert.Empty(UserFileParser.ParsePasswd([]));
        Assert.Empty(UserFileParser.ParseGroup("\n\n"u8));
    }

    [Fact]
    public void Database_reads_each_file_once_and_only_when_asked()
    {
        var passwdReads = 0;
        var groupReads = 0;
        var database = new EtcUserDatabase(
            () => { passwdReads++; return "a:x:1:2::/:/bin/sh\na:x:3:4::/:/bin/sh\n"u8.ToArray(); },
            () => { groupReads++; return null; });

        Assert.Equal(0, passwdReads + groupReads);
        Assert.Equal(1, database.FindUser("a")!.Uid);
        Assert.Null(database.FindUser("b"));
        Assert.Null(database.FindGroup("a"));
        Assert.Equal((1, 1), (passwdReads, groupReads));
    }
}

public class ChownSpecTests
{
    private static readonly EtcUserDatabase Users = new(
        () => "root:x:0:0::/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n"u8.ToArray(),
        () => "staff:x:50:\napp:x:1002:\n"u8.ToArray());

    [Theory]
    [InlineData("1000", "1000:1000")]
    [InlineData("1000:50", "1000:50")]
    [InlineData("root", "0:0")]
    [InlineData("root:root", "0:0")]
    [InlineData("app", "1001:1002")]
    [InlineData("app:", "1001:1002")]
    [InlineData("app:staff", "1001:50")]
    [InlineData("app:7", "1001:7")]
    [InlineData("5:staff", "5:50")]
    [InlineData("-1", "-1:-1")]
    public void Resolves_like_BuildKit(string value, string expected)
    {
        var owner = ChownSpec.Parse(value).Resolve(Users, null);

        Assert.Equal(expected, owner.ToString());
    }

    [Theory]
    [InlineData("ghost", "can't find uid for user ghost: no such user: ghost")]
    [InlineData("ghost:staff", "can't find uid for user ghost")]
    [InlineData("app:phantom", "can't find gid for group phantom: no such group: phantom")]
    [InlineData("5:phantom", "can't find gid for group phantom")]
    public void Unknown_names_fail_the_copy_at_its_line(string value, string message)
    {
        var error = Assert.Throws<KanikoException>(() => ChownSpec.Parse(value).Resolve(Users, SourceRange.Line("Dockerfile", 3)));

        Assert.Contains(error.Code, new[] { DiagnosticCodes.ChownUserUnknown, DiagnosticCodes.ChownGroupUnknown });
        Assert.StartsWith("Dockerfile:3: unable to convert uid/gid chown string to host mapping: " + message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Numeric_ids_resolve_without_any_user_database()
    {
        Assert.Equal("1000:1000", ChownSpec.Parse("1000").Resolve(EtcUserDatabase.Empty, null).ToString());
        Assert.Equal("7:8", ChownSpec.Parse("7:8").Resolve(EtcUserDatabase.Empty, null).ToString());
        Assert.Equal("0:0", ChownSpec.Parse("root").Resolve(EtcUserDatabase.Empty, null).ToString());
    }

    [Fact]
    public void Unknown_names_of_a_workdir_user_fall_back_with_warnings()
    {
        var warnings = new List<BuildWarning>();

        var owner = ChownSpec.Parse("ghost:phantom").ResolveOrRoot(Users, warnings, SourceRange.Line("Dockerfile", 3));

        Assert.Equal(CopyOwner.Root, owner);
        Assert.Equal([DiagnosticCodes.ChownUserNotFound, DiagnosticCodes.ChownGroupNotFound], warnings.Select(w => w.Code));
        Assert.All(warnings, w => Assert.Equal(3, w.Range!.Value.StartLine));
    }

    [Fact]
    public void Numeric_values_need_no_lookup()
    {
        Assert.False(ChownSpec.Parse("1:2").NeedsLookup);
        Assert.True(ChownSpec.Parse("app").NeedsLookup);
        Assert.True(ChownSpec.Parse("1:staff").NeedsLookup);
        Assert.Equal(("user", "grp"), (ChownSpec.Parse("user:grp:x").User, "grp"));
        Assert.Equal("grp:x", ChownSpec.Parse("user:grp:x").Group);
    }
}
