using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace Kaniko.ArchitectureTests;

/// <summary>
/// The one field-naming rule of <c>.editorconfig</c>, read back from compiled assemblies: a private field is
/// <c>_camelCase</c>, unless it is a constant or <c>static readonly</c> (constant-like), which are PascalCase.
/// The build does not enforce code style (<c>EnforceCodeStyleInBuild</c> would run every style analyzer on every
/// build), so this test is what keeps the rule applied. It reads metadata rather than loading types: the MSBuild
/// tasks derive from types of an assembly the test does not ship.
/// </summary>
internal static partial class FieldNaming
{
    /// <summary>One line per private field of <paramref name="assembly"/> that breaks the rule.</summary>
    public static IReadOnlyList<string> Violations(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var violations = new List<string>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var type = metadata.GetTypeDefinition(typeHandle);
            if (IsGenerated(metadata, typeHandle))
            {
                continue;
            }

            foreach (var fieldHandle in type.GetFields())
            {
                var field = metadata.GetFieldDefinition(fieldHandle);
                var name = metadata.GetString(field.Name);
                var access = field.Attributes & FieldAttributes.FieldAccessMask;
                if (access != FieldAttributes.Private || IsGeneratedName(name) || HasGeneratedAttribute(metadata, field.GetCustomAttributes()))
                {
                    continue;
                }

                var constantLike = (field.Attributes & FieldAttributes.Literal) != 0
                    || (field.Attributes & (FieldAttributes.Static | FieldAttributes.InitOnly)) == (FieldAttributes.Static | FieldAttributes.InitOnly);
                if (!(constantLike ? PascalCase() : UnderscoreCamelCase()).IsMatch(name))
                {
                    violations.Add(FullName(metadata, typeHandle) + "." + name);
                }
            }
        }

        violations.Sort(StringComparer.Ordinal);
        return violations;
    }

    // Backing fields, captured primary-constructor parameters and state-machine fields have names no source can
    // hold; source generators (JSON contexts, regexes, resources) follow their own conventions.
    private static bool IsGenerated(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        for (var current = handle; !current.IsNil; current = metadata.GetTypeDefinition(current).GetDeclaringType())
        {
            var type = metadata.GetTypeDefinition(current);
            if (IsGeneratedName(metadata.GetString(type.Name)) || HasGeneratedAttribute(metadata, type.GetCustomAttributes()))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsGeneratedName(string name) => name.Contains('<', StringComparison.Ordinal);

    private static bool HasGeneratedAttribute(MetadataReader metadata, CustomAttributeHandleCollection attributes) =>
        attributes.Select(a => AttributeName(metadata, metadata.GetCustomAttribute(a)))
            .Any(n => n is "CompilerGeneratedAttribute" or "GeneratedCodeAttribute");

    private static string AttributeName(MetadataReader metadata, CustomAttribute attribute)
    {
        var constructor = attribute.Constructor;
        var parent = constructor.Kind == HandleKind.MemberReference
            ? metadata.GetMemberReference((MemberReferenceHandle)constructor).Parent
            : metadata.GetMethodDefinition((MethodDefinitionHandle)constructor).GetDeclaringType();
        return parent.Kind switch
        {
            HandleKind.TypeReference => metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)parent).Name),
            HandleKind.TypeDefinition => metadata.GetString(metadata.GetTypeDefinition((TypeDefinitionHandle)parent).Name),
            _ => "",
        };
    }

    private static string FullName(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        var prefix = declaring.IsNil ? metadata.GetString(type.Namespace) : FullName(metadata, declaring);
        return prefix + (declaring.IsNil ? "." : "+") + metadata.GetString(type.Name);
    }

    [GeneratedRegex("^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex PascalCase();

    [GeneratedRegex("^_[a-z][A-Za-z0-9]*$")]
    private static partial Regex UnderscoreCamelCase();
}
