/**
 * src/cli/report.ts in process: the dry run's file list, the next steps (no `cd` into `.`), the exit
 * code of --strict without a check, and the Medplum side and next steps as printed, line by line.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printMedplumSide, printNextSteps } from '../../src/cli/report.js';
import { createUi } from '../../src/cli/ui.js';
import { runCli, tempDir } from '../helpers.js';

/** A Ui that records what it prints; colour forced on when asked. */
function capture(color = false) {
  const out = { stdout: '' };
  const ui = createUi(color ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }, { write: (s: string) => (out.stdout += s) }, { write: () => true }, false);
  return { ui, lines: () => out.stdout.split('\n').slice(0, -1) };
}

describe('the summary of a run', () => {
  it('a dry run lists each file, marking only the private ones', async () => {
    const result = await runCli(['app', '-m', 'basic-auth', '--dry-run'], { cwd: await tempDir() });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['Dry run: would write 18 files to app', '  .env (mode 600)', '  .env.example', '  .gitignore']);
  });

  it.each([
    ['app', ['cd app', 'npm install', '# fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)', 'npm start']],
    ['.', ['npm install', '# fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)', 'npm start']],
  ])('--json next steps for %s: a cd only into another directory', async (dir, nextSteps) => {
    const cwd = join(await tempDir(), 'my-app'); // a valid package name for "."
    await mkdir(cwd);
    const result = await runCli([dir, '-m', 'basic-auth', '--client-id', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '--dry-run', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps).toEqual(nextSteps);
  });

  it('--strict without a check to fail exits 0', async () => {
    const result = await runCli(['app', '-m', 'basic-auth', '--dry-run', '--strict'], { cwd: await tempDir() });
    expect(result.code).toBe(0);
  });
});

describe('printMedplumSide', () => {
  it.each([
    [
      'created, nothing left',
      { created: ['Created the ClientApplication medplum-app'], todo: [] },
      ['', 'In Medplum', '  Done on https://medplum.example.com/:', '  ✔ Created the ClientApplication medplum-app', '  Nothing is left to do there.'],
    ],
    [
      'created, and steps left',
      { created: ['Created the AccessPolicy', 'Created the ClientApplication'], todo: ['Attach the policy'] },
      ['', 'In Medplum', '  Done on https://medplum.example.com/:', '  ✔ Created the AccessPolicy', '  ✔ Created the ClientApplication', '  Left to do:', '  1. Attach the policy'],
    ],
    ['nothing created: the steps alone', { created: [], todo: ['Create a client', 'Copy its ID'] }, ['', 'In Medplum', '  1. Create a client', '  2. Copy its ID']],
  ])('%s', (_name, side, expected) => {
    const { ui, lines } = capture();
    printMedplumSide(ui, side, 'https://medplum.example.com/');
    expect(lines()).toEqual(expected);
  });
});

describe('printNextSteps', () => {
  it('commands in cyan, a # comment dimmed, then the docs', () => {
    const { ui, lines } = capture(true);
    printNextSteps(ui, ['cd app', '# fill in X in .env', 'npm start'], 'https://docs.example/');
    expect(lines()).toEqual([
      '',
      '\u001b[1mNext steps\u001b[22m',
      '  \u001b[36mcd app\u001b[39m',
      '  \u001b[2m# fill in X in .env\u001b[22m',
      '  \u001b[36mnpm start\u001b[39m',
      '',
      'Docs: https://docs.example/',
    ]);
  });
});
