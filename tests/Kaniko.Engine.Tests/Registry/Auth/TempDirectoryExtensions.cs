using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>Writing small files into the shared <see cref="TempDirectory"/>.</summary>
internal static class TempDirectoryExtensions
{
    public static string Write(this TempDirectory directory, string name, string content)
    {
        var file = directory.Combine(name);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        return file;
    }
}
