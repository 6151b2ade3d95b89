using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Kaniko.Testing;

/// <summary>A gzip layer blob written to a file, with both of its digests.</summary>
/// <param name="Path">The file holding the compressed blob.</param>
/// <param name="Digest">sha256 of the compressed blob.</param>
/// <param name="DiffId">sha256 of the uncompressed tar.</param>
/// <param name="Size">Size of the compressed blob in bytes.</param>
public sealed record FileLayerBlob(string Path, string Digest, string DiffId, long Size);

/// <summary>
/// Writes layers of real directory trees (a debootstrapped Debian, the machine's .NET) with GNU tar, which knows
/// owners, hard links and special files, and gzips the stream while hashing both sides, so a layer of hundreds of
/// megabytes never sits in memory. The tar is reproducible: the caller's sorted entry list, numeric owners, PAX
/// headers without access or change times, and every mtime <see cref="ReproducibleLayer.ModificationTime"/>.
/// </summary>
public static class TreeLayer
{
    /// <summary>
    /// Archives <paramref name="entries"/> (paths relative to <paramref name="root"/>, not recursed into) in the
    /// order given, and writes the gzip blob to <paramref name="blobPath"/>.
    /// </summary>
    /// <param name="root">The folder the entries are relative to.</param>
    /// <param name="entries">Relative paths, parents before children; directories are archived without their content.</param>
    /// <param name="blobPath">Where the compressed blob goes (its folder must exist).</param>
    /// <param name="ownedByRoot">Records every entry as 0:0 instead of the owners on disk.</param>
    /// <param name="cancellationToken">Stops tar.</param>
    public static async Task<FileLayerBlob> WriteAsync(
        string root, IEnumerable<string> entries, string blobPath, bool ownedByRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var tar = TestRequirements.Executable("tar");
        var listPath = blobPath + ".list";
        await File.WriteAllTextAsync(listPath, string.Concat(entries.Select(e => e + "\0")), cancellationToken).ConfigureAwait(false);
        try
        {
            var startInfo = new ProcessStartInfo(tar)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            string[] arguments =
            [
                "--create", "--file=-", "--directory=" + root, "--no-recursion", "--null", "--verbatim-files-from",
                "--files-from=" + listPath, "--format=posix",
                "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
                "--mtime=@" + ReproducibleLayer.ModificationTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                "--numeric-owner",
            ];
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            if (ownedByRoot)
            {
                startInfo.ArgumentList.Add("--owner=0");
                startInfo.ArgumentList.Add("--group=0");
            }

            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("cannot start " + tar);
            var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
            FileLayerBlob blob;
            try
            {
                blob = await CompressAsync(process.StandardOutput.BaseStream, blobPath, cancellationToken).ConfigureAwait(false);
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw;
            }

            return process.ExitCode == 0
                ? blob
                : throw new InvalidOperationException($"tar of {root} exited with {process.ExitCode}: {(await standardError.ConfigureAwait(false)).Trim()}");
        }
        finally
        {
            File.Delete(listPath);
        }
    }

    /// <summary>Every path under <paramref name="root"/>, relative and sorted ordinally (so parents precede children).</summary>
    public static async Task<IReadOnlyList<string>> ListTreeAsync(string root, CancellationToken cancellationToken = default)
    {
        var find = TestRequirements.Executable("find");
        var result = await ExternalTools.RunCheckedAsync(find, [root, "-mindepth", "1", "-printf", "%P\\0"], TimeSpan.FromMinutes(5), cancellationToken)
            .ConfigureAwait(false);
        return result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
    }

    // Hashing both sides while compressing is the one pass the layer needs: the tar is never stored uncompressed.
    private static async Task<FileLayerBlob> CompressAsync(Stream tar, string blobPath, CancellationToken cancellationToken)
    {
        using var diffId = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var digest = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var staging = blobPath + ".partial";
        long size;
        await using (var file = new FileStream(staging, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var hashing = new HashingWriteStream(file, digest);
            await using (var gzip = new GZipStream(hashing, CompressionLevel.Fastest, leaveOpen: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await tar.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    diffId.AppendData(buffer, 0, read);
                    await gzip.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            size = hashing.Length;
        }

        File.Move(staging, blobPath, overwrite: true);
        return new FileLayerBlob(
            blobPath, "sha256:" + Convert.ToHexStringLower(digest.GetHashAndReset()), "sha256:" + Convert.ToHexStringLower(diffId.GetHashAndReset()), size);
    }

    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            hash.AppendData(buffer, offset, count);
            _length += count;
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            _length += buffer.Length;
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
