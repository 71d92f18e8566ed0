/**
 * Build step (`npm run build`, after the bundle): renders each command's `--help` with the built
 * program itself into dist/help/<command>.txt, so `bin/` can print it without loading the CLI
 * (commander and its built-ins cost more than Node's own start-up). The text is the program's
 * output for a non-terminal, at commander's 80 columns; test/cli/args.test.ts checks that the two
 * are the same bytes. Run with Node's type stripping: `node src/cli/prerender-help.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The commands whose help is pre-rendered; '' is the program itself (creating a project). */
const HELP_COMMANDS = ['', 'add', 'check', 'rotate-secret'] as const;

const root = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(join(root, 'dist/help'), { recursive: true });
for (const command of HELP_COMMANDS) {
  const text = execFileSync(process.execPath, [join(root, 'dist/index.js'), ...(command ? [command] : []), '--help'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  writeFileSync(join(root, 'dist/help', `${command || 'create'}.txt`), text);
}
