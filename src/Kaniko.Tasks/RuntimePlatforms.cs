using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Tasks;

/// <summary>The container platform (<c>os/arch[/variant]</c>) of a .NET runtime identifier, as MNBC maps them.</summary>
internal static class RuntimePlatforms
{
    /// <summary>
    /// <c>linux-x64</c> and <c>linux-musl-x64</c> give <c>linux/amd64</c>, <c>linux-arm64</c> <c>linux/arm64</c>,
    /// <c>linux-arm</c> <c>linux/arm/v7</c>; anything else is <c>KANIKO6005</c>.
    /// </summary>
    internal static string ToPlatform(string runtimeIdentifier)
    {
        var parts = runtimeIdentifier.Trim().ToLowerInvariant().Split('-');
        var architecture = parts.Length >= 2 && parts[0] == "linux" ? parts[^1] : null;
        return architecture switch
        {
            "x64" => "linux/amd64",
            "arm64" => "linux/arm64",
            "arm" => "linux/arm/v7",
            "x86" => "linux/386",
            "s390x" => "linux/s390x",
            "ppc64le" => "linux/ppc64le",
            "riscv64" => "linux/riscv64",
            "loongarch64" => "linux/loong64",
            _ => throw new KanikoException(DiagnosticCodes.MSBuildUnknownRuntimeIdentifier, string.Format(
                CultureInfo.InvariantCulture, Strings.MSBuildUnknownRuntimeIdentifier, runtimeIdentifier)),
        };
    }
}
