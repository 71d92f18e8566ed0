#!/usr/bin/env node
// Plain JavaScript that any Node can parse, so an old Node gets a clear message instead of a
// syntax error or "WebSocket is not defined" from deep inside a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `create-medplum-auth needs Node.js 22.18 or newer (Medplum's SDK requires it); this is Node.js ${process.versions.node}.\n` +
      'Install Node.js 22 LTS or newer from https://nodejs.org/ (or run: nvm install 22), then try again.',
  );
  process.exit(1);
}
// Cache V8's compiled code on disk (Node 22.1+): later runs skip parsing and compiling the bundle.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/index.js');
