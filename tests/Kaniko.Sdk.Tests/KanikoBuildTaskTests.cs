using Kaniko.Tasks;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests;

/// <summary>The <c>KanikoBuild</c> task run in this process, on <c>FROM scratch</c> builds that need no registry.</summary>
public sealed class KanikoBuildTaskTests : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-task-");
    private readonly RecordingBuildEngine _engine = new();

    public KanikoBuildTaskTests()
    {
        File.WriteAllText(_directory.Combine("greeting.txt"), "hello\n");
    }

    [Fact]
    public void A_build_without_push_writes_its_outputs_and_reports_steps_as_messages()
    {
        var dockerfile = WriteDockerfile("FROM scratch\nCOPY greeting.txt /\nLABEL a=b\n");
        var task = Task(dockerfile);
        task.OciLayoutPath = _directory.Combine("layout");

        Assert.True(task.Execute(), string.Join("\n", _engine.Errors.Select(e => e.Message)));

        Assert.StartsWith("sha256:", task.ImageDigest, StringComparison.Ordinal);
        Assert.True(File.Exists(_directory.Combine("layout", "index.json")));
        Assert.Contains(_engine.Messages, m => m.Message!.Contains("STEP 2/3: COPY greeting.txt /", StringComparison.Ordinal));
        Assert.Empty(task.Images);
    }

    [Fact]
    public void A_Dockerfile_error_is_logged_with_its_code_file_and_line()
    {
        var dockerfile = WriteDockerfile("FROM scratch\n\nFROBNICATE x\n");

        Assert.False(Task(dockerfile).Execute());

        var error = Assert.Single(_engine.Errors);
        Assert.Equal("KANIKO1101", error.Code);
        Assert.Equal(dockerfile, error.File);
        Assert.Equal(3, error.LineNumber);
        Assert.DoesNotContain(dockerfile, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_build_stops_with_KANIKO6006()
    {
        var task = Task(WriteDockerfile("FROM scratch\nCOPY greeting.txt /\n"));
        task.OciLayoutPath = _directory.Combine("layout");
        task.Cancel();

        Assert.False(task.Execute());

        Assert.Equal("KANIKO6006", Assert.Single(_engine.Errors).Code);
        Assert.False(Directory.Exists(_directory.Combine("layout")));
    }

    [Fact]
    public void A_label_item_without_a_key_is_KANIKO6008()
    {
        var task = Task(WriteDockerfile("FROM scratch\n"));
        task.Labels = [new Microsoft.Build.Utilities.TaskItem("a=b")];

        Assert.False(task.Execute());

        Assert.Equal("KANIKO6008", Assert.Single(_engine.Errors).Code);
    }

    [Theory]
    [InlineData("ImageFormat", "Zip", "KANIKO6027")]
    [InlineData("SourceDateEpoch", "yesterday", "KANIKO6026")]
    [InlineData("LocalRegistry", "Containerd", "KANIKO6022")]
    public void A_bad_container_setting_is_its_own_KANIKO_error(string parameter, string value, string code)
    {
        var task = Task(WriteDockerfile("FROM scratch\n"));
        typeof(KanikoBuild).GetProperty(parameter)!.SetValue(task, value);
        task.LoadLocally = parameter == "LocalRegistry";

        Assert.False(task.Execute());

        Assert.Equal(code, Assert.Single(_engine.Errors).Code);
    }

    // As buildx: an OCI layout (like a push) gets min provenance unless KanikoProvenance=false, and the digest the
    // task reports is what the layout's name points at: the index with the attestation, or the image manifest alone.
    [Theory]
    [InlineData("", "application/vnd.oci.image.index.v1+json")]
    [InlineData("false", "application/vnd.oci.image.manifest.v1+json")]
    public void KanikoProvenance_defaults_to_min_for_an_OCI_layout_and_false_turns_it_off(string provenance, string mediaType)
    {
        var task = Task(WriteDockerfile("FROM scratch\nCOPY greeting.txt /\n"));
        task.OciLayoutPath = _directory.Combine("layout");
        task.Provenance = provenance;

        Assert.True(task.Execute(), string.Join("\n", _engine.Errors.Select(e => e.Message)));

        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_directory.Combine("layout", "index.json")));
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(mediaType, entry.GetProperty("mediaType").GetString());
        Assert.Equal(task.ImageDigest, entry.GetProperty("digest").GetString());
    }

    public void Dispose() => _directory.Dispose();

    private KanikoBuild Task(string dockerfile) => new()
    {
        BuildEngine = _engine,
        ContextDirectory = _directory.Path,
        Dockerfile = dockerfile,
        NoPush = true,
        CacheDirectory = _directory.Combine("cache"),
    };

    private string WriteDockerfile(string text)
    {
        var path = _directory.Combine("Dockerfile");
        File.WriteAllText(path, text);
        return path;
    }
}
