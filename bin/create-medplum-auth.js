#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): Node loads it without the ES module loader, which `--help` below
// does not need. The CLI itself, in dist/, is ES modules, imported once the checks are done.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

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
// `--help`, alone or after a subcommand: the text the build rendered with the program itself
// (src/cli/prerender-help.ts), printed without loading the CLI. A terminal narrower than that text
// gets the live help, wrapped to its width.
const args = process.argv.slice(2);
const isHelp = (arg) => arg === '--help' || arg === '-h';
const page =
  args.length === 1 && isHelp(args[0])
    ? 'create'
    : args.length === 2 && isHelp(args[1]) && ['add', 'check', 'rotate-secret'].includes(args[0])
      ? args[0]
      : undefined;
let help;
try {
  help = page && !(process.stdout.columns < 80) ? readFileSync(join(__dirname, `../dist/help/${page}.txt`)) : undefined;
} catch {
  // not pre-rendered (a build interrupted half-way): the live help below
}
if (help) {
  process.stdout.write(help);
} else {
  // Cache V8's compiled code on disk (Node 22.1+): later runs skip parsing and compiling the bundle.
  require('node:module').enableCompileCache?.();
  import('../dist/index.js');
}
