using System.Formats.Tar;
using System.Text;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Tests.Layers;

/// <summary>PAX values holding newlines, which .NET's tar reader alone rejects, read through the escaping filter.</summary>
public sealed class PaxNewlineEscapingStreamTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Names_link_targets_and_data_with_newlines_read_back_exactly()
    {
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var file = new PaxTarEntry(TarEntryType.RegularFile, "dir/two\nlines.txt") { DataStream = new MemoryStream("a\nb\n"u8.ToArray()) };
            await writer.WriteEntryAsync(file, Cancellation);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "link\n") { LinkName = "dir/two\nlines.txt" }, Cancellation);
            var tagged = new PaxTarEntry(TarEntryType.RegularFile, "plain", new Dictionary<string, string> { ["SCHILY.xattr.user.note"] = "x" })
            {
                DataStream = new MemoryStream("\n\n 12 path=evil\n"u8.ToArray()),
            };
            await writer.WriteEntryAsync(tagged, Cancellation);
        }

        tar.Position = 0;
        await Assert.ThrowsAsync<InvalidDataException>(async () => await new TarReader(tar, leaveOpen: true).GetNextEntryAsync(cancellationToken: Cancellation));
        tar.Position = 0;
        var entries = new List<(string Name, string LinkName, string Data)>();
        await using (var reader = PaxNewlineEscapingStream.OpenReader(tar))
        {
            while (await PaxNewlineEscapingStream.NextEntryAsync(reader, Cancellation) is { } entry)
            {
                var data = entry.DataStream is { } stream ? await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(Cancellation) : "";
                entries.Add((entry.Name, entry.LinkName, data));
            }
        }

        Assert.Equal(
            [("dir/two\nlines.txt", "", "a\nb\n"), ("link\n", "dir/two\nlines.txt", ""), ("plain", "", "\n\n 12 path=evil\n")],
            entries);
    }
}
