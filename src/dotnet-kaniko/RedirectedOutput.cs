using System.Text;

namespace Kaniko.Cli;

/// <summary>
/// On Windows, .NET writes redirected standard output and error in the ANSI code page (<c>é</c> becomes one byte,
/// <c>☕</c> a question mark), while a console gets every character through the Unicode console API. Logs that go
/// to a file or a CI runner are read as UTF-8, which is what docker writes, so the redirected streams get UTF-8
/// writers; the console's code page, shared with the shell that started the tool, is left alone.
/// </summary>
internal static class RedirectedOutput
{
    /// <summary>Gives redirected standard output and error UTF-8 writers (without a byte order mark).</summary>
    internal static void UseUtf8()
    {
        if (Console.IsOutputRedirected)
        {
            Console.SetOut(Utf8Writer(Console.OpenStandardOutput()));
        }

        if (Console.IsErrorRedirected)
        {
            Console.SetError(Utf8Writer(Console.OpenStandardError()));
        }
    }

    private static TextWriter Utf8Writer(Stream stream) =>
        TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = true });
}
