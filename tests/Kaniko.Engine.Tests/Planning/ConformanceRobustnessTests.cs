using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Planning;

/// <summary>
/// Every Dockerfile of the shared parser conformance data goes through instructions and planning without an
/// unexpected exception: it is planned, or it is refused with a located <see cref="KanikoException"/>.
/// </summary>
public class ConformanceRobustnessTests
{
    public static TheoryData<string> Dockerfiles()
    {
        var data = new TheoryData<string>();
        if (TestPaths.ConformanceDirectory is { } root && Directory.Exists(Path.Combine(root, "dockerfile-parser")))
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "dockerfile-parser"), "Dockerfile", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(root, file));
            }
        }
        else
        {
            data.Add("");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Plans_or_refuses_with_a_kaniko_error(string relativePath)
    {
        if (relativePath.Length == 0 || TestPaths.ConformanceDirectory is not { } root)
        {
            Assert.Skip("the shared conformance data is not beside this checkout");
            return;
        }

        var bytes = File.ReadAllBytes(Path.Combine(root, relativePath));
        try
        {
            var plan = KanikoPlanner.Plan(bytes, "Dockerfile", new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") });
            Assert.NotEmpty(PlanTextWriter.Write(plan));
        }
        catch (KanikoException)
        {
            // A refusal with a code is a valid outcome; any other exception type fails the test.
        }
    }
}
