namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// Turns a failure of the machine the build runs on (a full disk, a file the user may not open) into a
/// <see cref="KanikoException"/> with its own code and the system's message, which names the path. Such a failure
/// can surface in any step that writes, so it is translated once, where a build ends, instead of at every write; what
/// stays untranslated is a bug.
/// </summary>
public static class EnvironmentFaults
{
    // errno values of Linux (IOException.HResult on Unix) and Win32 error codes (the low word of the HRESULT).
    private const int NoSpaceErrno = 28;
    private const int QuotaErrno = 122;
    private const int DiskFullWin32 = 112;
    private const int HandleDiskFullWin32 = 39;

    /// <summary>The KANIKO error for <paramref name="error"/>, or null when it is not a fault of the environment.</summary>
    public static KanikoException? Translate(Exception error) => error switch
    {
        KanikoException => null,
        IOException io when IsDiskFull(io) => new KanikoException(DiagnosticCodes.NoSpaceLeft, Format(Strings.NoSpaceLeft, io.Message), innerException: io),
        UnauthorizedAccessException denied => new KanikoException(DiagnosticCodes.AccessDenied, Format(Strings.AccessDenied, denied.Message), innerException: denied),
        AggregateException { InnerExceptions.Count: 1 } one => Translate(one.InnerExceptions[0]),
        _ => error.InnerException is { } inner ? Translate(inner) : null,
    };

    /// <summary>Whether <paramref name="error"/> says the disk is full or the quota used up.</summary>
    public static bool IsDiskFull(IOException error) => error is not null && (OperatingSystem.IsWindows()
        ? (error.HResult & 0xFFFF) is DiskFullWin32 or HandleDiskFullWin32
        : error.HResult is NoSpaceErrno or QuotaErrno);

    private static string Format(string format, string detail) => string.Format(System.Globalization.CultureInfo.InvariantCulture, format, detail);
}
