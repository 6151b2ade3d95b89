using Kaniko.Testing;

// One registry serves the whole assembly: starting it costs ~0.1 s, but pushing base images into every fresh
// instance would cost more. Tests that must own a registry (its lifecycle) start a private RegistryFixture.
[assembly: AssemblyFixture(typeof(RegistryFixture))]
