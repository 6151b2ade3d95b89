using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build.Differential;

/// <summary>
/// What the differential suite compares of one pushed image, as ordered keys and values: <c>fs:PATH</c> for every path
/// of the flattened filesystem (type, mode, owner, size, link target, content hash, hardlink group) and
/// <c>config.FIELD</c> (one key per label, <c>config.Labels.NAME</c>) for the config fields a Dockerfile sets.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class ImageView
{
    private static readonly string[] ConfigFields =
        ["Env", "Entrypoint", "Cmd", "WorkingDir", "User", "ExposedPorts", "Volumes", "StopSignal", "Healthcheck", "OnBuild", "ArgsEscaped"];

    public static async Task<SortedDictionary<string, string>> ReadAsync(string reference, string scratch, CancellationToken cancellationToken)
    {
        var view = await FilesystemAsync(reference, scratch, cancellationToken);
        using var document = JsonDocument.Parse((await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--config", "--raw", "docker://" + reference], cancellationToken)).StandardOutput);
        foreach (var (key, value) in Config(document.RootElement))
        {
            view.Add(key, value);
        }

        return view;
    }

    /// <summary>Every path of the image unpacked by umoci; paths sharing an inode name the smallest path of the group.</summary>
    private static async Task<SortedDictionary<string, string>> FilesystemAsync(string reference, string scratch, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(scratch);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{scratch}/layout:x"], cancellationToken);
        await ExternalTools.RunCheckedAsync(TestRequirements.Executable("umoci"), ["unpack", "--image", $"{scratch}/layout:x", $"{scratch}/bundle"], cancellationToken: cancellationToken);
        var rootfs = Path.Combine(scratch, "bundle", "rootfs");
        var find = await ExternalTools.RunCheckedAsync("find", [rootfs, "-mindepth", "1", "-printf", "%P\t%y\t%m\t%U:%G\t%s\t%l\t%i\t%n\n"], cancellationToken: cancellationToken);
        var rows = find.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
        var groups = rows.Where(r => r[1] == "f" && r[7] != "1").GroupBy(r => r[6]).ToDictionary(g => g.Key, g => g.Select(r => r[0]).Order(StringComparer.Ordinal).First());
        var view = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var (path, type) = (row[0], row[1]);
            var size = type == "d" ? "-" : row[4];
            var hash = type == "f" ? Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(rootfs, path), cancellationToken)))[..16] : "";
            var group = type == "f" && groups.TryGetValue(row[6], out var first) ? "links=" + first : "";
            view.Add("fs:/" + path, $"{type} {row[2]} {row[3]} {size} {row[5]} {hash} {group}".TrimEnd());
        }

        return view;
    }

    private static IEnumerable<(string Key, string Value)> Config(JsonElement image)
    {
        var config = image.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
        foreach (var field in ConfigFields)
        {
            var value = config.ValueKind == JsonValueKind.Object && config.TryGetProperty(field, out var v) ? Canonical(v) : "null";
            yield return ("config." + field, value);
        }

        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in labels.EnumerateObject())
            {
                yield return ("config.Labels." + label.Name, label.Value.GetString() ?? "null");
            }
        }

        yield return ("author", image.TryGetProperty("author", out var author) ? author.GetString() ?? "" : "");
        yield return ("os", image.GetProperty("os").GetString()!);
        yield return ("architecture", image.GetProperty("architecture").GetString()!);
    }

    /// <summary>JSON with object members sorted, so the two builders' member order does not count.</summary>
    private static string Canonical(JsonElement value) => Sort(JsonNode.Parse(value.GetRawText()))?.ToJsonString() ?? "null";

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(e => Sort(e?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
