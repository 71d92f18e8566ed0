import { describe, expect, it } from 'vitest';
import { commandsFor, detectPackageManager, runScript } from '../../src/scaffold/pm.js';
import { colorLevel, createUi } from '../../src/cli/ui.js';
import { runCli, tempDir } from '../helpers.js';

const tty = { write: () => true, isTTY: true };
const pipe = { write: () => true, isTTY: false };

describe('colour', () => {
  it('is off with NO_COLOR, even on a TTY and with FORCE_COLOR', () => {
    expect(colorLevel({ NO_COLOR: '1' }, tty)).toBe(0);
    expect(colorLevel({ NO_COLOR: '1', FORCE_COLOR: '3' }, tty)).toBe(0);
  });

  it('is off when the output is not a TTY, on when it is', () => {
    expect(colorLevel({}, pipe)).toBe(0);
    expect(colorLevel({}, tty)).toBeGreaterThan(0);
    expect(colorLevel({ NO_COLOR: '' }, tty)).toBeGreaterThan(0); // an empty NO_COLOR is unset
  });

  it('FORCE_COLOR turns it on for a pipe, FORCE_COLOR=0 off for a TTY', () => {
    expect(colorLevel({ FORCE_COLOR: '1' }, pipe)).toBeGreaterThan(0);
    expect(colorLevel({ FORCE_COLOR: '0' }, tty)).toBe(0);
  });

  it('colours with FORCE_COLOR, each stream on its own', () => {
    let [out, err] = ['', ''];
    const ui = createUi({ FORCE_COLOR: '1' }, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) }, false);
    ui.info(`${ui.color.green('ok')} ${ui.color.bold('b')} ${ui.color.dim('d')}`);
    ui.warn('w');
    expect(out).toBe('\x1b[32mok\x1b[39m \x1b[1mb\x1b[22m \x1b[2md\x1b[22m\n');
    expect(err).toBe('\x1b[33mwarning\x1b[39m w\n');
    const plain = createUi({}, tty, { write: (s: string) => (err = s), isTTY: false }, false);
    plain.error('e');
    expect(err).toBe('error e\n');
    expect(plain.color.cyan('c')).toBe('\x1b[36mc\x1b[39m');
  });

  it('the CLI prints no escape codes under NO_COLOR', async () => {
    const cwd = await tempDir();
    let out = '';
    const ui = await createUi({ NO_COLOR: '1' }, { write: (s: string) => (out += s), isTTY: true }, pipe, false);
    ui.info(ui.color.green('ok'));
    expect(out).toBe('ok\n');
    const result = await runCli(['app', '-m', 'basic-auth', '--dry-run'], { cwd, env: { NO_COLOR: '1', FORCE_COLOR: '3' } });
    expect(result.stdout).not.toMatch(/\x1b\[/);
  });
});

describe('package managers', () => {
  it.each([
    [undefined, 'npm'],
    ['npm/11.1.0 node/v22.18.0 linux x64 workspaces/false', 'npm'],
    ['pnpm/9.12.0 npm/? node/v22.18.0 linux x64', 'pnpm'],
    ['yarn/1.22.22 npm/? node/v22.18.0 linux x64', 'yarn'],
    ['bun/1.2.0 npm/? node/v22.18.0 linux x64', 'bun'],
    ['deno/2.0 npm/? node/v22', 'npm'],
  ])('%s -> %s', (agent, pm) => {
    expect(detectPackageManager(agent)).toBe(pm);
  });

  it('prints each in its own syntax', () => {
    expect(commandsFor('npm')).toMatchObject({ install: 'npm install', dev: 'npm run dev', start: 'npm start', startOnce: 'npm start -- --once' });
    expect(commandsFor('pnpm')).toMatchObject({ install: 'pnpm install', dev: 'pnpm dev', startOnce: 'pnpm start --once' });
    expect(commandsFor('yarn')).toMatchObject({ install: 'yarn', dev: 'yarn dev', test: 'yarn test' });
    expect(commandsFor('bun')).toMatchObject({ install: 'bun install', test: 'bun run test', startOnce: 'bun run start --once' });
    expect(runScript('npm', 'typecheck')).toBe('npm run typecheck');
  });
});
