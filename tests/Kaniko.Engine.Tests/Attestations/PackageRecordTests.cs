using System.Text;
using Kaniko.Engine.Attestations;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Attestations;

public sealed class PackageRecordTests : IDisposable
{
    private const string Status = """
        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Source: glibc
        Version: 2.36-9+deb12u10
        Description: GNU C Library
         continuation line: not a field

        Package: oldpkg
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0

        Package: base-passwd
        Status: install ok installed
        Architecture: amd64
        Version: 1:3.6.1
        Source: base-passwd (3.6.1)

        """;

    private const string Deps = """
        {
          "runtimeTarget": { "name": ".NETCoreApp,Version=v10.0" },
          "targets": {
            ".NETCoreApp,Version=v10.0": {
              "App/1.0.0": { "dependencies": { "Polly.Core": "8.9.1" }, "runtime": { "App.dll": {} } },
              "Polly.Core/8.9.1": { "dependencies": { "Inner": "1.0.0" } },
              "Inner/1.0.0": {}
            }
          },
          "libraries": {
            "App/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
            "Polly.Core/8.9.1": { "type": "package", "serviceable": true, "sha512": "sha512-AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==" },
            "Inner/1.0.0": { "type": "package", "serviceable": true, "sha512": "" }
          }
        }
        """;

    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Dpkg_status_lists_installed_packages_with_source_and_an_encoded_purl()
    {
        var os = new OsRelease("debian", "12");
        var packages = OsPackageDatabases.ReadDpkg(File("var/lib/dpkg/status", Status), os).ToList();

        Assert.Equal(["libc6", "base-passwd"], packages.Select(p => p.Name));
        Assert.Equal("pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12&upstream=glibc", packages[0].Purl);
        Assert.Equal("pkg:deb/debian/base-passwd@1%3A3.6.1?arch=amd64&distro=debian-12&upstream=base-passwd", packages[1].Purl);
        Assert.Equal("/var/lib/dpkg/status", packages[0].FoundIn);
    }

    [Fact]
    public void Apk_database_lists_packages_with_their_origin()
    {
        var apk = "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\nP:busybox-binsh\nV:1.36.1-r29\nA:x86_64\no:busybox\n\n";

        var packages = OsPackageDatabases.ReadApk(File("lib/apk/db/installed", apk), new OsRelease("alpine", "3.20.3")).ToList();

        Assert.Equal(["musl", "busybox-binsh"], packages.Select(p => p.Name));
        Assert.Equal("pkg:apk/alpine/busybox-binsh@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox", packages[1].Purl);
    }

    [Fact]
    public void Deps_file_gives_nuget_packages_with_hex_sha512_the_graph_and_direct_references()
    {
        var packages = ImageSoftware.Find([File("app/App.deps.json", Deps)], new HashSet<string>());

        var polly = Assert.Single(packages, p => p.Name == "Polly.Core");
        Assert.Equal("pkg:nuget/Polly.Core@8.9.1", polly.Purl);
        Assert.Equal(Convert.ToHexStringLower([.. Enumerable.Range(0, 64).Select(i => (byte)i)]), polly.Sha512);
        Assert.True(polly.IsDirect);
        Assert.Equal(["Inner"], polly.DependsOn);
        var inner = Assert.Single(packages, p => p.Name == "Inner");
        Assert.False(inner.IsDirect);
        Assert.Null(inner.Sha512);
        Assert.Equal(PackageEcosystem.DotnetApplication, Assert.Single(packages, p => p.Name == "App").Ecosystem);
    }

    [Fact]
    public void Shared_framework_is_named_by_its_version_file_and_runtime_pack()
    {
        const string dir = "usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12";
        var frameworkDeps = """{"libraries":{"Microsoft.NETCore.App.Runtime.linux-x64/10.0.12":{"type":"package","serviceable":true,"sha512":""}}}""";

        var packages = ImageSoftware.Find(
            [File(dir + "/.version", "95017c711e6afc1085133d440e42b4bd78155701\n10.0.12\n"), File(dir + "/Microsoft.NETCore.App.deps.json", frameworkDeps)],
            new HashSet<string>());

        var framework = Assert.Single(packages);
        Assert.Equal(("Microsoft.NETCore.App", "10.0.12", PackageEcosystem.DotnetFramework), (framework.Name, framework.Version, framework.Ecosystem));
        Assert.Equal("pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@10.0.12", framework.Purl);
    }

    [Fact]
    public async Task Layers_are_read_in_order_with_whiteouts_and_only_record_files_kept()
    {
        var first = await new LayerWriter().WriteAsync(
            [LayerEntry.Directory("var"), LayerEntry.File("var/lib/dpkg/status", Encoding.UTF8.GetBytes(Status)),
             LayerEntry.File("app/Old.deps.json", Encoding.UTF8.GetBytes(Deps)), LayerEntry.File("etc/passwd", "root:x:0:0\n"u8.ToArray())],
            _work.Combine("layers"), Cancellation);
        var second = await new LayerWriter().WriteAsync(
            [LayerEntry.Whiteout("app/Old.deps.json"), LayerEntry.File("app/New.deps.json", Encoding.UTF8.GetBytes(Deps))],
            _work.Combine("layers"), Cancellation);
        var image = ImageBuilder.FromScratch(Platform.Parse("linux/amd64")).AppendLayer(first).AppendLayer(second).Build();

        var files = await ImagePackageFiles.CollectAsync(image, Cancellation);

        Assert.Equal(["app/New.deps.json", "var/lib/dpkg/status"], files.Select(f => f.Path));
        Assert.Equal(second.DiffId.ToString(), files[0].Layer);
        Assert.Equal(first.DiffId.ToString(), files[1].Layer);
    }

    private static PackageRecordFile File(string path, string content) => new(path, Encoding.UTF8.GetBytes(content), "sha256:" + new string('0', 64));
}
