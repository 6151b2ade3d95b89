using Kaniko.Engine.Diagnostics;
using Kaniko.Tasks;

namespace Kaniko.Sdk.Tests;

/// <summary>The .NET SDK's documented combinations of its start-command items, one case each.</summary>
public class ContainerCommandTests
{
    private static readonly string[] App = ["dotnet", "/app/hello.dll"];

    [Fact]
    public void By_default_the_app_command_is_the_entrypoint_and_there_is_no_cmd()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { AppCommand = App });
        Assert.Equal(App, entrypoint);
        Assert.Empty(cmd);
    }

    [Fact]
    public void App_command_args_follow_it_in_the_entrypoint_and_default_args_are_the_cmd()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { AppCommand = App, AppCommandArgs = ["--fast"], DefaultArgs = ["--port", "80"] });
        Assert.Equal(["dotnet", "/app/hello.dll", "--fast"], entrypoint);
        Assert.Equal(["--port", "80"], cmd);
    }

    [Fact]
    public void An_entrypoint_of_the_project_makes_the_app_command_its_default_args()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { Entrypoint = ["/bin/tini", "--"], AppCommand = App, DefaultArgs = ["-v"] });
        Assert.Equal(["/bin/tini", "--"], entrypoint);
        Assert.Equal(["dotnet", "/app/hello.dll", "-v"], cmd);
    }

    [Fact]
    public void Entrypoint_args_alone_keep_their_old_meaning_app_command_as_entrypoint_and_args_as_cmd()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { EntrypointArgs = ["--old"], AppCommand = App });
        Assert.Equal(App, entrypoint);
        Assert.Equal(["--old"], cmd);
    }

    [Fact]
    public void Instruction_None_keeps_the_base_entrypoint()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { AppCommandInstruction = "None", DefaultArgs = ["x"] });
        Assert.Null(entrypoint);
        Assert.Equal(["x"], cmd);
    }

    [Fact]
    public void Instruction_DefaultArgs_puts_the_app_command_in_cmd_under_the_base_entrypoint()
    {
        var (entrypoint, cmd) = ContainerCommand.Decide(new ContainerCommandItems { AppCommandInstruction = "defaultargs", AppCommand = App });
        Assert.Null(entrypoint);
        Assert.Equal(App, cmd);
    }

    [Theory]
    [InlineData("Entrypoint", true, false)]
    [InlineData("None", false, true)]
    [InlineData("Sometimes", false, false)]
    public void Contradictions_are_KANIKO6024(string instruction, bool withEntrypoint, bool withAppCommand)
    {
        var items = new ContainerCommandItems
        {
            AppCommandInstruction = instruction,
            Entrypoint = withEntrypoint ? ["/bin/sh"] : [],
            AppCommand = withAppCommand ? App : [],
        };
        var error = Assert.Throws<KanikoException>(() => ContainerCommand.Decide(items));
        Assert.Equal("KANIKO6024", error.Code.ToString());
    }
}
