using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Kaniko.Testing;

/// <summary>
/// git's smart HTTP protocol on 127.0.0.1: every request to the <see cref="RawHttpServer"/> runs
/// <c>git http-backend</c> as a CGI program over the bare repositories under a folder, so clones and shallow
/// fetches of <c>http://127.0.0.1:PORT/NAME.git</c> work as against a real git host.
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private readonly RawHttpServer _server;
    private readonly string _git;
    private readonly string _root;

    private readonly string? _authorization;

    /// <summary>
    /// Serves the repositories under <paramref name="root"/> with <paramref name="git"/>; with
    /// <paramref name="authorization"/>, only to requests whose <c>Authorization</c> header is exactly that (others get
    /// a 401 basic challenge).
    /// </summary>
    public GitHttpServer(string git, string root, string? authorization = null)
    {
        _git = git;
        _root = root;
        _authorization = authorization;
        _server = new RawHttpServer(Serve);
    }

    /// <summary>Every request received, in order.</summary>
    public IEnumerable<ServerRequest> Requests => _server.Requests;

    /// <summary><c>http://127.0.0.1:PORT</c>, without a final slash.</summary>
    public string BaseUrl => _server.BaseUrl;

    /// <summary>Stops the server.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private Respond Serve(ServerRequest request)
    {
        if (_authorization is not null && request.Authorization != _authorization)
        {
            return Respond.Empty(401, ("WWW-Authenticate", "Basic realm=\"git\""));
        }

        var question = request.Target.IndexOf('?', StringComparison.Ordinal);
        var startInfo = new ProcessStartInfo(_git)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("http-backend");
        startInfo.Environment["GIT_PROJECT_ROOT"] = _root;
        startInfo.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        startInfo.Environment["REQUEST_METHOD"] = request.Method;
        startInfo.Environment["PATH_INFO"] = Uri.UnescapeDataString(request.Path);
        startInfo.Environment["QUERY_STRING"] = question < 0 ? string.Empty : request.Target[(question + 1)..];
        startInfo.Environment["CONTENT_TYPE"] = request.Header("Content-Type") ?? string.Empty;
        startInfo.Environment["CONTENT_LENGTH"] = request.Body.Length.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["REMOTE_ADDR"] = "127.0.0.1";
        if (request.Header("Content-Encoding") is { } encoding)
        {
            startInfo.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Header("Git-Protocol") is { } protocol)
        {
            startInfo.Environment["GIT_PROTOCOL"] = protocol;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("git http-backend did not start");
        var error = process.StandardError.ReadToEndAsync();
        var writer = Task.Run(() =>
        {
            process.StandardInput.BaseStream.Write(request.Body);
            process.StandardInput.Close();
        });
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        writer.Wait();
        process.WaitForExit();
        _ = error.Result;
        return ToResponse(output.ToArray());
    }

    // CGI output: header lines (a "Status:" among them, 200 when absent), an empty line, then the body.
    private static Respond ToResponse(byte[] cgi)
    {
        var end = cgi.AsSpan().IndexOf("\r\n\r\n"u8);
        var separator = 4;
        if (end < 0)
        {
            end = cgi.AsSpan().IndexOf("\n\n"u8);
            separator = 2;
        }

        if (end < 0)
        {
            return Respond.Text(500, "malformed CGI output");
        }

        var status = 200;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Encoding.ASCII.GetString(cgi, 0, end).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                status = int.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else
            {
                headers[name] = value;
            }
        }

        return new Respond(status, cgi[(end + separator)..], headers);
    }
}
