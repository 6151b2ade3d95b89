using Kaniko.Sdk.Tests.E2E;
using Kaniko.Testing;

// One registry and one packed feed serve every end-to-end test of the assembly.
[assembly: AssemblyFixture(typeof(RegistryFixture))]
[assembly: AssemblyFixture(typeof(PackedSdkFeed))]
