using System.Text.RegularExpressions;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// A Pod's YAML taken from <c>docs/executor.md</c>, so the tests run what the documentation gives users, edited only
/// where the machine differs from a cluster: the placeholders (<c>&lt;registry&gt;</c>...) filled in, names made
/// unique, the host's network (the registries listen on 127.0.0.1), and what a kubelet adds to every pod (the
/// termination log file, the service-account token). The edits work on lines and indentation, which is enough for
/// the block style the documentation uses.
/// </summary>
internal sealed partial class PodManifest
{
    private readonly List<string> _lines;

    private PodManifest(string name, IEnumerable<string> lines)
    {
        Name = name;
        _lines = lines.ToList();
    }

    /// <summary>The pod's <c>metadata.name</c>.</summary>
    public string Name { get; private set; }

    /// <summary>
    /// The Pod of the <c>yaml</c> block of <c>docs/executor.md</c> whose <c>metadata.name</c> is <paramref name="name"/>;
    /// a Job's pod template becomes a Pod of that name (as the Job controller makes one).
    /// </summary>
    public static PodManifest FromDocs(string name)
    {
        var markdown = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "executor.md"));
        var block = YamlBlock().Matches(markdown).Select(match => match.Groups["yaml"].Value)
            .SingleOrDefault(yaml => yaml.Contains("metadata:\n  name: " + name + "\n", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"docs/executor.md has no yaml block named {name}");
        var lines = block.Split('\n');
        if (!block.Contains("kind: Job\n", StringComparison.Ordinal))
        {
            return new PodManifest(name, lines);
        }

        // The Job's spec.template.spec, one level up, under a Pod's header.
        var template = Array.IndexOf(lines, "  template:");
        var spec = Array.IndexOf(lines, "    spec:", template);
        var body = lines.Skip(spec + 1).TakeWhile(line => line.Length == 0 || line.StartsWith("      ", StringComparison.Ordinal)).Select(line => line.Length == 0 ? line : line[4..]);
        return new PodManifest(name, ["apiVersion: v1", "kind: Pod", "metadata:", "  name: " + name, "spec:", .. body]);
    }

    /// <summary>Renames the pod (two pods of one Job).</summary>
    public PodManifest Rename(string name)
    {
        Replace("metadata:\n  name: " + Name + "\n", "metadata:\n  name: " + name + "\n");
        Name = name;
        return this;
    }

    /// <summary>
    /// Gives every <c>emptyDir</c> volume a name of this pod's own and returns the names: podman 4.3's <c>kube play</c>
    /// makes an <c>emptyDir</c> a named volume that outlives the pod, so a later pod with the same volume name would
    /// find the files of an earlier one, where a cluster gives each pod an empty folder.
    /// </summary>
    public IReadOnlyList<string> MakeEmptyDirsPrivate()
    {
        var names = new List<string>();
        for (var i = 1; i < _lines.Count; i++)
        {
            var previous = _lines[i - 1].Trim();
            if (_lines[i].Trim().StartsWith("emptyDir:", StringComparison.Ordinal) && previous.StartsWith("- name: ", StringComparison.Ordinal))
            {
                names.Add(previous["- name: ".Length..].Trim());
            }
        }

        return [.. names.Select(volume =>
        {
            var own = volume + "-" + Name;
            Replace("name: " + volume + "\n", "name: " + own + "\n");
            return own;
        })];
    }

    /// <summary>Replaces every occurrence of <paramref name="text"/>; it must occur.</summary>
    public PodManifest Replace(string text, string replacement)
    {
        var yaml = ToString();
        Assert.True(yaml.Contains(text, StringComparison.Ordinal), $"the pod {Name} has no '{text}':\n{yaml}");
        _lines.Clear();
        _lines.AddRange(yaml.Replace(text, replacement, StringComparison.Ordinal).Split('\n'));
        return this;
    }

    /// <summary>
    /// What differs on this machine from a cluster's node: the pod shares the host's network, and its container
    /// <paramref name="container"/> gets the kubelet's termination log file and service-account token.
    /// </summary>
    public PodManifest AsKubeletRuns(string container, string terminationLog, string serviceAccount)
    {
        InsertAfter(IndexOf("spec:"), "  hostNetwork: true");
        AddHostPath(container, "termination-log", terminationLog, "/dev/termination-log", "File", readOnly: false);
        return AddHostPath(container, "service-account", serviceAccount, "/var/run/secrets/kubernetes.io/serviceaccount", "Directory", readOnly: true);
    }

    /// <summary>Adds arguments to <paramref name="container"/>'s block-style <c>args</c>.</summary>
    public PodManifest AddArguments(string container, params string[] arguments)
    {
        var args = IndexOf(ContainerIndent(container) + "args:", ContainerLine(container));
        InsertAfter(args, arguments.Select(argument => ContainerIndent(container) + "  - " + argument).ToArray());
        return this;
    }

    /// <summary>Adds a variable to <paramref name="container"/>'s block-style <c>env</c>.</summary>
    public PodManifest AddEnvironment(string container, string name, string value)
    {
        var indent = ContainerIndent(container);
        InsertAfter(IndexOf(indent + "env:", ContainerLine(container)), indent + "  - name: " + name, indent + "    value: \"" + value + "\"");
        return this;
    }

    /// <summary>Mounts the host's <paramref name="hostPath"/> (a <paramref name="type"/>: File or Directory) in <paramref name="container"/>.</summary>
    public PodManifest AddHostPath(string container, string volume, string hostPath, string mountPath, string type, bool readOnly)
    {
        var indent = ContainerIndent(container);
        string[] mount = [indent + "  - name: " + volume, indent + "    mountPath: " + mountPath, .. readOnly ? [indent + "    readOnly: true"] : Array.Empty<string>()];
        InsertAfter(IndexOf(indent + "volumeMounts:", ContainerLine(container)), mount);
        InsertAfter(IndexOf("  volumes:"), "    - name: " + volume, "      hostPath:", "        path: " + hostPath, "        type: " + type);
        return this;
    }

    public override string ToString() => string.Join('\n', _lines);

    private int ContainerLine(string container) => _lines.FindIndex(line => line.TrimStart() == "- name: " + container);

    /// <summary>The indentation of the keys of <paramref name="container"/>'s list item.</summary>
    private string ContainerIndent(string container)
    {
        var line = _lines[ContainerLine(container)];
        return new string(' ', line.IndexOf('-', StringComparison.Ordinal) + 2);
    }

    private int IndexOf(string line, int start = 0)
    {
        var index = _lines.FindIndex(start, candidate => candidate == line);
        Assert.True(index >= 0, $"the pod {Name} has no line '{line}' after line {start}:\n{this}");
        return index;
    }

    private void InsertAfter(int index, params string[] lines) => _lines.InsertRange(index + 1, lines);

    [GeneratedRegex("```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
