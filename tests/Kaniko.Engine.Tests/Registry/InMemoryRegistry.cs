using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>
/// Just enough of the distribution API, in memory, for the raw server to play a registry: manifests by tag and
/// digest, blobs per repository, uploads (POST, PATCH, PUT with digest) and mounts.
/// </summary>
internal sealed class InMemoryRegistry
{
    private readonly ConcurrentDictionary<string, (string MediaType, byte[] Bytes)> _manifests = new();
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new();
    private readonly ConcurrentDictionary<string, byte> _repositoryBlobs = new();
    private readonly ConcurrentDictionary<string, MemoryStream> _uploads = new();

    public Digest AddBlob(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        _blobs[digest.ToString()] = content;
        _repositoryBlobs[repository + "@" + digest] = 0;
        return digest;
    }

    public Digest AddManifest(string repository, string tag, string mediaType, byte[] bytes)
    {
        var digest = Digest.Compute(bytes);
        _manifests[repository + ":" + tag] = (mediaType, bytes);
        _manifests[repository + ":" + digest] = (mediaType, bytes);
        return digest;
    }

    public bool HasBlob(string repository, Digest digest) => _repositoryBlobs.ContainsKey(repository + "@" + digest);

    public bool HasManifest(string repository, string reference) => _manifests.ContainsKey(repository + ":" + reference);

    public ServerAction Handle(ServerRequest request)
    {
        var path = request.Path;
        if (path == "/v2/")
        {
            return Respond.Json(200, "{}");
        }

        var query = request.Target.Contains('?', StringComparison.Ordinal) ? request.Target[(request.Target.IndexOf('?', StringComparison.Ordinal) + 1)..] : string.Empty;
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty));
        var rest = path["/v2/".Length..];
        if (Split(rest, "/manifests/") is var (repository, reference) && repository is not null)
        {
            return request.Method switch
            {
                "GET" or "HEAD" => _manifests.TryGetValue(repository + ":" + reference, out var m)
                    ? new Respond(200, m.Bytes, new Dictionary<string, string> { ["Content-Type"] = m.MediaType, ["Docker-Content-Digest"] = Digest.Compute(m.Bytes).ToString() })
                    : Respond.Error(404, "MANIFEST_UNKNOWN", "manifest unknown"),
                "PUT" => PutManifest(repository, reference, request),
                _ => Respond.Error(405, "UNSUPPORTED", "method"),
            };
        }

        if (Split(rest, "/blobs/uploads/") is var (uploadRepository, session) && uploadRepository is not null)
        {
            switch (request.Method)
            {
                case "POST":
                    if (parameters.TryGetValue("mount", out var mount) && parameters.TryGetValue("from", out var from) && _repositoryBlobs.ContainsKey(from + "@" + mount))
                    {
                        _repositoryBlobs[uploadRepository + "@" + mount] = 0;
                        return new Respond(201, [], new Dictionary<string, string> { ["Location"] = $"/v2/{uploadRepository}/blobs/{mount}" });
                    }

                    var id = Guid.NewGuid().ToString("N");
                    _uploads[id] = new MemoryStream();
                    return new Respond(202, [], new Dictionary<string, string> { ["Location"] = $"/v2/{uploadRepository}/blobs/uploads/{id}?_state=x", ["Range"] = "0-0" });
                case "PATCH":
                    _uploads[session].Write(request.Body);
                    return new Respond(202, [], new Dictionary<string, string> { ["Location"] = $"/v2/{uploadRepository}/blobs/uploads/{session}?_state=y" });
                case "PUT":
                    var upload = _uploads[session];
                    upload.Write(request.Body);
                    var content = upload.ToArray();
                    var actual = Digest.Compute(content);
                    if (actual.ToString() != parameters["digest"])
                    {
                        return Respond.Error(400, "DIGEST_INVALID", "provided digest did not match uploaded content");
                    }

                    AddBlob(uploadRepository, content);
                    return new Respond(201, [], new Dictionary<string, string> { ["Location"] = $"/v2/{uploadRepository}/blobs/{actual}" });
            }
        }

        if (Split(rest, "/blobs/") is var (blobRepository, digest) && blobRepository is not null)
        {
            return _repositoryBlobs.ContainsKey(blobRepository + "@" + digest) && _blobs.TryGetValue(digest, out var bytes)
                ? new Respond(200, bytes, new Dictionary<string, string> { ["Content-Type"] = "application/octet-stream", ["Docker-Content-Digest"] = digest })
                : Respond.Error(404, "BLOB_UNKNOWN", "blob unknown to registry");
        }

        return Respond.Error(404, "NAME_UNKNOWN", "no route");
    }

    /// <summary>A small image: one layer of <paramref name="layerContent"/> (a stand-in, not a real tar), its config and manifest.</summary>
    public (Digest Manifest, byte[] ManifestBytes, Digest Layer) AddImage(string repository, string tag, byte[] layerContent, string architecture = "amd64")
    {
        var layer = AddBlob(repository, layerContent);
        var diffId = Digest.Compute(layerContent);
        var config = Encoding.UTF8.GetBytes($$$"""{"architecture":"{{{architecture}}}","os":"linux","rootfs":{"type":"layers","diff_ids":["{{{diffId}}}"]}}""");
        var configDigest = AddBlob(repository, config);
        var manifest = Encoding.UTF8.GetBytes($$$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{{configDigest}}}","size":{{{config.Length}}}},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{{layer}}}","size":{{{layerContent.Length}}}}]}""");
        return (AddManifest(repository, tag, MediaType.OciManifest.Value, manifest), manifest, layer);
    }

    public static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    private Respond PutManifest(string repository, string reference, ServerRequest request)
    {
        var digest = AddManifest(repository, reference, request.Header("Content-Type") ?? "application/json", request.Body);
        return new Respond(201, [], new Dictionary<string, string> { ["Docker-Content-Digest"] = digest.ToString() });
    }

    private static (string? Repository, string Tail) Split(string path, string marker)
    {
        var at = path.LastIndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? (null, string.Empty) : (path[..at], path[(at + marker.Length)..]);
    }
}
