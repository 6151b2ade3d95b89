using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Tests.Dockerfile.Instructions;

/// <summary>The instruction layer works on syntax nodes alone; these tests build the nodes by hand.</summary>
public class InstructionParserTests
{
    private static SyntaxNode Node(string keyword, string[] arguments, string[]? flags = null, bool json = false, int line = 1, Heredoc[]? heredocs = null, SyntaxNode? nested = null) => new()
    {
        Keyword = keyword,
        Arguments = arguments,
        Flags = flags ?? [],
        IsJsonForm = json,
        Original = keyword + " " + string.Join(' ', (flags ?? []).Concat(arguments)),
        StartLine = line,
        EndLine = line,
        Heredocs = heredocs ?? [],
        Nested = nested,
    };

    private static T Parse<T>(SyntaxNode node)
        where T : Instruction => Assert.IsType<T>(InstructionParser.ParseInstruction(node, "Dockerfile"));

    [Fact]
    public void From_lower_cases_the_stage_name_and_keeps_the_platform()
    {
        var from = Parse<FromInstruction>(Node("FROM", ["golang:1.22", "as", "Build"], ["--platform=$BUILDPLATFORM"]));

        Assert.Equal("golang:1.22", from.BaseName);
        Assert.Equal("build", from.StageName);
        Assert.Equal("$BUILDPLATFORM", from.Platform);
        Assert.Equal("FROM --platform=$BUILDPLATFORM golang:1.22 AS build", from.Format());
    }

    [Theory]
    [InlineData("a-b_c.d")]
    [InlineData("x1")]
    public void Valid_stage_names(string name) =>
        Assert.Equal(name, Parse<FromInstruction>(Node("FROM", ["alpine", "AS", name])).StageName);

    [Theory]
    [InlineData("1st")]
    [InlineData("_x")]
    [InlineData("a:b")]
    public void Invalid_stage_names(string name)
    {
        var error = Assert.Throws<KanikoException>(() => InstructionParser.ParseInstruction(Node("FROM", ["alpine", "AS", name], line: 4), "Dockerfile"));

        Assert.Equal(DiagnosticCodes.InvalidStageName, error.Code);
        Assert.Equal(4, error.Range?.StartLine);
    }

    [Fact]
    public void Env_reads_key_value_triples()
    {
        var env = Parse<EnvInstruction>(Node("ENV", ["A", "1", "=", "B", "two words", ""]));

        Assert.Equal([new KeyValue("A", "1", false), new KeyValue("B", "two words", true)], env.Variables);
    }

    [Fact]
    public void Arg_splits_each_word_at_its_first_equals_sign()
    {
        var arg = Parse<ArgInstruction>(Node("ARG", ["A", "B=1=2", "C="]));

        Assert.Equal([new ArgDeclaration("A", null), new ArgDeclaration("B", "1=2"), new ArgDeclaration("C", "")], arg.Arguments);
    }

    [Fact]
    public void Copy_separates_heredoc_sources_from_paths()
    {
        var node = Node("COPY", ["a.txt", "<<-EOF", "/dst/"], ["--chmod=644"], heredocs: [new Heredoc("EOF", "\tindented\n", true, true, 0)]);

        var copy = Parse<CopyInstruction>(node);

        Assert.Equal(["a.txt"], copy.Sources.SourcePaths);
        Assert.Equal([new InlineSource("EOF", "indented\n", true)], copy.Sources.SourceContents);
        Assert.Equal("/dst/", copy.Sources.Destination);
        Assert.Equal("644", copy.Chmod);
    }

    [Fact]
    public void Add_keeps_unset_optional_booleans_null()
    {
        var add = Parse<AddInstruction>(Node("ADD", ["a.tar", "/"], ["--keep-git-dir=false"]));

        Assert.False(add.KeepGitDir);
        Assert.Null(add.Unpack);
        Assert.Equal("ADD --keep-git-dir=false a.tar /", add.Format());
    }

    [Fact]
    public void Run_keeps_shell_and_exec_forms_and_heredocs()
    {
        var shell = Parse<RunInstruction>(Node("RUN", ["<<EOF"], heredocs: [new Heredoc("EOF", "echo hi\n", true, false, 0)]));
        var exec = Parse<RunInstruction>(Node("RUN", ["/bin/true", "-v"], ["--network=none"], json: true));

        Assert.True(shell.PrependShell);
        Assert.Equal([new InlineFile("EOF", "echo hi\n", false)], shell.Heredocs);
        Assert.False(exec.PrependShell);
        Assert.Equal(RunNetwork.None, exec.Network);
        Assert.Equal("RUN --network=none [\"/bin/true\", \"-v\"]", exec.Format());
    }

    [Fact]
    public void Healthcheck_builds_the_test_the_image_config_stores()
    {
        var shell = Parse<HealthcheckInstruction>(Node("HEALTHCHECK", ["CMD", "curl -f http://127.0.0.1/"], ["--interval=1m", "--retries=5"]));
        var exec = Parse<HealthcheckInstruction>(Node("HEALTHCHECK", ["cmd", "/bin/check", "-q"], json: true));
        var none = Parse<HealthcheckInstruction>(Node("HEALTHCHECK", ["none"]));

        Assert.Equal(["CMD-SHELL", "curl -f http://127.0.0.1/"], shell.Test);
        Assert.Equal(TimeSpan.FromMinutes(1), shell.Interval);
        Assert.Equal(5, shell.Retries);
        Assert.Equal(["CMD", "/bin/check", "-q"], exec.Test);
        Assert.True(none.IsNone);
    }

    [Fact]
    public void Onbuild_keeps_the_trigger_text_and_parses_the_trigger()
    {
        var nested = Node("RUN", ["make"]);
        var node = new SyntaxNode { Keyword = "ONBUILD", Original = "ONBUILD RUN make", Nested = nested, StartLine = 2, EndLine = 2 };

        var onbuild = Parse<OnbuildInstruction>(node);

        Assert.Equal("RUN make", onbuild.Expression);
        Assert.IsType<RunInstruction>(onbuild.Trigger);
        Assert.Equal(2, onbuild.Trigger.Range.StartLine);
    }

    [Fact]
    public void Expose_sorts_ports_as_buildkit_does()
    {
        var expose = Parse<ExposeInstruction>(Node("EXPOSE", ["8080", "443", "80/udp"]));

        Assert.Equal(["443", "80/udp", "8080"], expose.Ports);
    }

    [Fact]
    public void Unknown_instructions_are_errors_naming_the_keyword_as_written()
    {
        var error = Assert.Throws<KanikoException>(() => InstructionParser.ParseInstruction(Node("Frobnicate", [""], line: 12), "Dockerfile"));

        Assert.Equal("Dockerfile:12: unknown instruction: Frobnicate", error.Message);
        Assert.Equal(DiagnosticCodes.UnknownInstruction, error.Code);
    }

    [Fact]
    public void Dockerfile_groups_instructions_into_stages_after_the_meta_args()
    {
        var parse = new ParseResult("Dockerfile",
            [Node("ARG", ["V=1"], line: 1), Node("FROM", ["a", "AS", "one"], line: 2), Node("RUN", ["x"], line: 3), Node("FROM", ["one"], line: 4), Node("ARG", ["V"], line: 5)],
            new ParserDirectives('\\', null, null), []);

        var dockerfile = InstructionParser.ParseDockerfile(parse);

        Assert.Single(dockerfile.MetaArgs);
        Assert.Equal(2, dockerfile.Stages.Count);
        Assert.Equal("one", dockerfile.Stages[0].Name);
        Assert.IsType<RunInstruction>(Assert.Single(dockerfile.Stages[0].Instructions));
        Assert.Equal(1, dockerfile.Stages[1].Index);
        Assert.IsType<ArgInstruction>(Assert.Single(dockerfile.Stages[1].Instructions));
    }

    [Fact]
    public void Maintainer_is_read_with_a_deprecation_warning()
    {
        var warnings = new List<BuildWarning>();

        var maintainer = InstructionParser.ParseInstruction(Node("MAINTAINER", ["me"], line: 3), "Dockerfile", warnings);

        Assert.IsType<MaintainerInstruction>(maintainer);
        var warning = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.MaintainerDeprecated, warning.Code);
        Assert.Equal(3, warning.Range?.StartLine);
    }
}

public class SuggestionTests
{
    [Theory]
    [InlineData("RUNN", "unknown instruction: RUNN (did you mean RUN?)")]
    [InlineData("form", "unknown instruction: form (did you mean from?)")]
    [InlineData("Workdri", "unknown instruction: Workdri (did you mean workdir?)")]
    [InlineData("FROBNICATE", "unknown instruction: FROBNICATE")]
    public void Unknown_instructions_suggest_a_close_keyword(string keyword, string message)
    {
        var node = new SyntaxNode { Keyword = keyword, Arguments = [""], Original = keyword, StartLine = 1, EndLine = 1 };

        var error = Assert.Throws<KanikoException>(() => InstructionParser.ParseInstruction(node, "Dockerfile"));

        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public void Unknown_flags_and_mount_keys_suggest_a_close_name()
    {
        var parser = new FlagParser(["--form=a"], null);
        parser.AddString("from");
        parser.AddString("chown");

        Assert.Equal("unknown flag: --form (did you mean from?)", Assert.Throws<KanikoException>(parser.Parse).Detail);
        Assert.Equal("unsupported mount type \"cahce\" (did you mean cache?)",
            Assert.Throws<KanikoException>(() => RunMount.Parse("type=cahce", null, null)).Detail);
        Assert.Equal("unexpected key 'taget' in 'taget=/x' (did you mean target?)",
            Assert.Throws<KanikoException>(() => RunMount.Parse("taget=/x", null, null)).Detail);
    }
}
