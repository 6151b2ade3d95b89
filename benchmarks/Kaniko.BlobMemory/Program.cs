using System.Diagnostics;
using System.Globalization;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.BlobMemory;

/// <summary>
/// Writes a blob of pseudo-random bytes to a file, pushes it to a plain-HTTP registry through
/// <see cref="RegistryClient"/>, pulls it back through the verifying stream, and prints the timings and the peak
/// resident set of this process. Streaming is the point: the peak must not grow with the blob.
/// </summary>
public static class Program
{
    /// <summary>Arguments: <c>REGISTRY_HOST:PORT [SIZE_MIB=1024] [CHUNK_MIB]</c>.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            await Console.Error.WriteLineAsync("usage: Kaniko.BlobMemory REGISTRY_HOST:PORT [SIZE_MIB=1024] [CHUNK_MIB]");
            return 2;
        }

        var registry = args[0];
        var sizeMiB = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
        long? chunk = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) * 1024 * 1024 : null;
        var size = sizeMiB * 1024L * 1024L;
        var path = Path.Combine(Path.GetTempPath(), $"kaniko-blob-{Environment.ProcessId}.bin");
        try
        {
            var clock = Stopwatch.StartNew();
            var digest = await WriteBlobAsync(path, size);
            Report($"wrote {sizeMiB} MiB, {digest}", clock);

            var options = new RegistryOptions { InsecureRegistries = new HashSet<string> { registry }, UploadChunkSize = chunk };
            using var client = new RegistryClient(options, new ChainedKeychain());
            var repository = new RepositoryName(registry, "bench/blob-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = digest, Size = size };

            clock.Restart();
            var outcome = await client.PushBlobAsync(repository, blob, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.SequentialScan)));
            Report($"push: {outcome} ({Rate(size, clock)})", clock);

            clock.Restart();
            await using (var stream = await client.OpenBlobAsync(repository, blob))
            {
                await stream.CopyToAsync(Stream.Null);
                if (!((DigestVerifyingStream)stream).IsVerified)
                {
                    throw new InvalidOperationException("the pulled blob was not verified");
                }
            }

            Report($"pull: verified ({Rate(size, clock)})", clock);
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"peak working set: {self.PeakWorkingSet64 / (1024.0 * 1024.0):0.0} MiB; managed heap now: {GC.GetTotalMemory(false) / (1024.0 * 1024.0):0.0} MiB"));
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<Digest> WriteBlobAsync(string path, long size)
    {
        // Pseudo-random, so that nothing on the way can compress it; seeded, so runs are alike.
        var random = new Random(42);
        var buffer = new byte[1024 * 1024];
        using var hasher = DigestHasher.Create();
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.SequentialScan);
        for (long written = 0; written < size; written += buffer.Length)
        {
            random.NextBytes(buffer);
            var length = (int)Math.Min(buffer.Length, size - written);
            hasher.Append(buffer.AsSpan(0, length));
            await file.WriteAsync(buffer.AsMemory(0, length));
        }

        return hasher.GetDigest();
    }

    private static string Rate(long size, Stopwatch clock) =>
        string.Create(CultureInfo.InvariantCulture, $"{size / (1024.0 * 1024.0) / clock.Elapsed.TotalSeconds:0} MiB/s");

    private static void Report(string what, Stopwatch clock) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what} in {clock.Elapsed.TotalSeconds:0.0} s"));
}
