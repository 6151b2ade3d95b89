using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

public sealed class PlatformEmulationTests : IDisposable
{
    private static readonly Platform Amd64 = Platform.Parse("linux/amd64");

    private readonly TempDirectory _binfmt = new("kaniko-binfmt-");

    public void Dispose() => _binfmt.Dispose();

    [Theory]
    [InlineData("linux/amd64", true)]
    [InlineData("linux/386", true)]
    [InlineData("linux/arm64", false)]
    [InlineData("linux/arm/v7", false)]
    [InlineData("windows/amd64", false)]
    public void Native_platforms_need_no_handler(string target, bool native)
    {
        Assert.Equal(native, PlatformEmulation.IsNative(Platform.Parse(target), Amd64));
        Assert.Equal(native, new PlatformEmulation(_binfmt.Path).CanRun(Platform.Parse(target), Amd64));
    }

    [Theory]
    [InlineData("arm64", "qemu-aarch64")]
    [InlineData("amd64", "qemu-x86_64")]
    [InlineData("arm", "qemu-arm")]
    [InlineData("s390x", "qemu-s390x")]
    [InlineData("ppc64le", "qemu-ppc64le")]
    [InlineData("riscv64", "qemu-riscv64")]
    [InlineData("mips64le", "qemu-mips64el")]
    public void Handlers_are_named_after_qemu_architectures(string architecture, string handler) =>
        Assert.Equal(handler, PlatformEmulation.HandlerName(architecture));

    [Fact]
    public void An_enabled_handler_runs_the_foreign_architecture()
    {
        File.WriteAllText(Path.Combine(_binfmt.Path, "qemu-aarch64"), "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n");
        File.WriteAllText(Path.Combine(_binfmt.Path, "qemu-s390x"), "disabled\ninterpreter /usr/libexec/qemu-binfmt/s390x-binfmt-P\n");
        var emulation = new PlatformEmulation(_binfmt.Path);

        Assert.True(emulation.CanRun(Platform.Parse("linux/arm64/v8"), Amd64));
        Assert.False(emulation.CanRun(Platform.Parse("linux/s390x"), Amd64));
        Assert.False(emulation.CanRun(Platform.Parse("linux/arm/v7"), Amd64));
    }

    [Fact]
    public void A_missing_binfmt_folder_means_no_emulation() =>
        Assert.False(new PlatformEmulation(Path.Combine(_binfmt.Path, "absent")).CanRun(Platform.Parse("linux/arm64"), Amd64));
}
