namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// A stable error or warning code, <c>KANIKOnnnn</c>. The thousands digit names the area, as documented in
/// <c>docs/diagnostics.md</c>: 0 general, 1 Dockerfile (10xx syntax, 11xx instructions, 12xx expansion,
/// 13xx planning), 2 build context, 3 images and registries, 4 execution, 5 outputs, 6 MSBuild tasks.
/// Codes are never reused for another meaning once released.
/// </summary>
public readonly record struct DiagnosticCode
{
    private DiagnosticCode(int number) => Number = number;

    /// <summary>The numeric part, 0 to 9999.</summary>
    public int Number { get; }

    /// <summary>Creates a code from its number.</summary>
    public static DiagnosticCode Of(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 9999);
        return new DiagnosticCode(number);
    }

    /// <summary>The area of the pipeline this code belongs to.</summary>
    public DiagnosticArea Area => (DiagnosticArea)(Number / 1000);

    /// <summary>The code as users see it, for example <c>KANIKO1001</c>.</summary>
    public override string ToString() => $"KANIKO{Number:D4}";
}

/// <summary>The pipeline stage a diagnostic code belongs to (the code's thousands digit).</summary>
public enum DiagnosticArea
{
    /// <summary>Usage errors and internal failures.</summary>
    General = 0,
    /// <summary>Reading, expanding and planning the Dockerfile.</summary>
    Dockerfile = 1,
    /// <summary>Reading the build context and its ignore file.</summary>
    Context = 2,
    /// <summary>Image references, manifests, registries and credentials.</summary>
    Registry = 3,
    /// <summary>Running the build steps.</summary>
    Execution = 4,
    /// <summary>Writing the finished image.</summary>
    Output = 5,
    /// <summary>The MSBuild SDK and tasks.</summary>
    MSBuild = 6,
}
