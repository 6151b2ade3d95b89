using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>The case tables of <c>TestData/Execution</c>: tab-separated cells, <c>#</c> lines are comments.</summary>
internal static class ExecutionTable
{
    public static TheoryData<string, string, string> ThreeColumns(string fileName) =>
        new(File.ReadAllLines(Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Execution", fileName))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(cells => (cells[0], cells[1], cells.Length > 2 ? cells[2] : string.Empty)));
}
