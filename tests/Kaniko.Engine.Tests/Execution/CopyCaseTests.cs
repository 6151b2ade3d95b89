using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>Runs every folder of <c>TestData/Copy</c>: the Dockerfile's COPY and ADD steps planned against its context.</summary>
public class CopyCaseTests
{
    public static TheoryData<string> Cases => CopyCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Copy_plans_as_expected(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the cases set Unix modes and symbolic links in the context");
        }

        using var testCase = CopyCase.Open(name);
        if (testCase.HasHardLinks && !OperatingSystem.IsLinux())
        {
            Assert.Skip("the case makes hard links, which only Linux contexts tell apart");
        }

        if (Environment.GetEnvironmentVariable("KANIKO_UPDATE_GOLDEN") == "1")
        {
            testCase.Update();
        }

        if (testCase.ExpectsError)
        {
            var error = Assert.ThrowsAny<KanikoException>(testCase.Run);
            Assert.Equal(testCase.ReadText("error.txt").TrimEnd('\n'), $"{error.Message} [{error.Code}]");
        }
        else
        {
            Assert.Equal(testCase.ReadText("expected.txt"), testCase.Run());
        }
    }

    [Fact]
    public void There_are_enough_cases() => Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");
}
