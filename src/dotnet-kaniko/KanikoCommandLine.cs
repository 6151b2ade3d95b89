using System.CommandLine;

namespace Kaniko.Cli;

/// <summary>Builds the root command with every verb.</summary>
internal static class KanikoCommandLine
{
    internal static RootCommand Create()
    {
        var root = new RootCommand("Build container images from a Dockerfile without a Docker daemon.");
        return root;
    }
}
