using System.Text;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Outputs;

internal static class OutputTestImages
{
    /// <summary>Scratch plus two small layers, its blobs under <paramref name="directory"/>.</summary>
    public static async Task<MutatedImage> TwoLayersAsync(string directory, string marker = "one", Kaniko.Engine.Images.ImageFormat format = Kaniko.Engine.Images.ImageFormat.Oci)
    {
        var writer = new LayerWriter();
        var first = await writer.WriteAsync([LayerEntry.Directory("app"), LayerEntry.File("app/" + marker, Encoding.ASCII.GetBytes(marker))], directory);
        var second = await writer.WriteAsync([LayerEntry.File("etc/motd", Encoding.ASCII.GetBytes("hello\n"))], directory);
        return ImageBuilder.FromScratch(Platform.Parse("linux/amd64"), format)
            .AppendLayer(first, "COPY " + marker + " /app/")
            .AppendLayer(second, "RUN echo hello > /etc/motd")
            .WithCreated(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .Build();
    }
}
