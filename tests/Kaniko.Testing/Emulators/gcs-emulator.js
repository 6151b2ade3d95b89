// Starts the Cloud Storage emulator of firebase-tools alone, on 127.0.0.1:PORT, for the gs:// context tests.
// Usage: node gcs-emulator.js FIREBASE_TOOLS_PREFIX PORT
// `firebase emulators:start` would also start the emulator's Java rules engine, which it downloads on first use and
// which needs Java 21; the Google Cloud Storage JSON API (/storage/v1, /upload/storage/v1) never consults Firebase
// security rules, so the HTTP server is started here without it.
'use strict';
const path = require('path');

const [prefix, portText] = process.argv.slice(2);
const port = Number.parseInt(portText, 10);
if (!prefix || !Number.isInteger(port)) {
  console.error('usage: node gcs-emulator.js FIREBASE_TOOLS_PREFIX PORT');
  process.exit(2);
}

const emulatorLib = path.join(prefix, 'node_modules', 'firebase-tools', 'lib', 'emulator');
const { StorageEmulator } = require(path.join(emulatorLib, 'storage', 'index.js'));
const { createApp } = require(path.join(emulatorLib, 'storage', 'server.js'));
const { EmulatorRegistry } = require(path.join(emulatorLib, 'registry.js'));

(async () => {
  const projectId = 'demo-kaniko';
  const emulator = new StorageEmulator({ projectId, host: '127.0.0.1', port, rules: [], auto_download: false });
  // Object metadata embeds download links built from the registered emulator's address.
  EmulatorRegistry.set('storage', emulator);
  const app = await createApp(projectId, emulator);
  const server = app.listen(port, '127.0.0.1', () => console.log(`gcs emulator listening on 127.0.0.1:${port}`));
  server.on('error', error => {
    console.error(error.message);
    process.exit(1);
  });
})().catch(error => {
  console.error(error);
  process.exit(1);
});
