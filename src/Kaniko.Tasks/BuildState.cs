using System.Globalization;
using Kaniko.Engine.Oci;

namespace Kaniko.Tasks;

/// <summary>
/// What the last successful build of a project left in <c>obj/</c>: the fingerprint of its inputs and the digest it
/// pushed. Two lines, <c>inputs HEX</c> and <c>digest sha256:HEX</c>; anything else reads as no state.
/// </summary>
internal sealed record BuildState(string InputsFingerprint, Digest Digest)
{
    internal static BuildState? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || !lines[0].StartsWith("inputs ", StringComparison.Ordinal) || !lines[1].StartsWith("digest ", StringComparison.Ordinal))
        {
            return null;
        }

        return Digest.TryParse(lines[1]["digest ".Length..], out var digest) ? new BuildState(lines[0]["inputs ".Length..], digest) : null;
    }

    internal void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"inputs {InputsFingerprint}\ndigest {Digest}\n"));
    }

    internal static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
