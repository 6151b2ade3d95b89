using System.Buffers.Binary;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Portability;

/// <summary>
/// The tool published for macOS, as one self-contained file. Nothing here can run it (no Mac, no emulator): the
/// publish proves that the code builds for macOS with the platform and single-file analyzers' warnings as errors
/// and that every package has what macOS needs, and the file is checked to be what a Mac loads, a signed 64-bit Mach-O executable of the
/// right processor (Apple silicon refuses unsigned code). Only osx-arm64 is published here, to keep the cost of a
/// run down: osx-x64 differs only by its native host (docs/platforms.md says how to check it by hand, and what is
/// not verified).
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MacPublishTests : IDisposable
{
    private const uint MachO64Magic = 0xFEEDFACF;
    private const uint Executable = 2; // MH_EXECUTE
    private const uint CodeSignature = 0x1D; // LC_CODE_SIGNATURE

    private readonly TempDirectory _scratch = new("kaniko-mac-publish-");

    public void Dispose() => _scratch.Dispose();

    private const uint Arm64 = 0x0100000C; // CPU_TYPE_ARM64

    [Fact]
    public async Task The_tool_publishes_for_apple_silicon_as_a_signed_mach_o_executable()
    {
        const string runtime = "osx-arm64";
        var published = await CliPublish.GetAsync(runtime, _scratch.Path, TestContext.Current.CancellationToken);

        var file = Path.Combine(published, "dotnet-kaniko");
        Assert.True(File.Exists(file), "the publish has no dotnet-kaniko: " + string.Join(", ", Directory.GetFiles(published)));
        Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(file) & UnixFileMode.UserExecute);
        var header = new byte[32];
        await using (var stream = File.OpenRead(file))
        {
            await stream.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
        }

        Assert.Equal(MachO64Magic, BinaryPrimitives.ReadUInt32LittleEndian(header));
        Assert.Equal(Arm64, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)));
        Assert.Equal(Executable, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12)));
        Assert.Contains(CodeSignature, LoadCommands(file, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16))));
    }

    private static List<uint> LoadCommands(string file, uint count)
    {
        using var reader = new BinaryReader(File.OpenRead(file));
        reader.BaseStream.Position = 32;
        var commands = new List<uint>();
        for (var i = 0; i < count; i++)
        {
            var start = reader.BaseStream.Position;
            commands.Add(reader.ReadUInt32());
            reader.BaseStream.Position = start + reader.ReadUInt32();
        }

        return commands;
    }
}
