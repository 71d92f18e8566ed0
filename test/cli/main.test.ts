/**
 * src/cli/main.ts in process: how errors become exit codes and lines (an interrupt, a cancelled
 * prompt, a bug that keeps its stack). rotate-secret's human output is tested with the rest of
 * rotate-secret, in test/medplum/rotate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { Interrupted } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

describe('errors from a command', () => {
  /** rotate-secret on a terminal, whose prompts fail to load with `err`. */
  async function failingPrompts(err: Error) {
    let [stdout, stderr] = ['', ''];
    const io: Io = {
      stdout: { write: (s: string) => (stdout += s), isTTY: true },
      stderr: { write: (s: string) => (stderr += s), isTTY: true },
      stdinIsTTY: true,
      env: { NO_COLOR: '1' },
      cwd: await tempDir(),
      loadPrompter: () => Promise.reject(err),
    };
    const code = await main(['rotate-secret'], io);
    return { code, stdout, stderr };
  }

  it('an interrupt: exit 1, one line that says nothing was written', async () => {
    expect(await failingPrompts(new Interrupted('SIGINT'))).toEqual({ code: 1, stdout: '', stderr: 'error Interrupted (SIGINT). Nothing was written.\n' });
  });

  it('a cancelled prompt: exit 1, one line', async () => {
    const cancel = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    expect(await failingPrompts(cancel)).toEqual({ code: 1, stdout: '', stderr: 'error Cancelled. Nothing was written.\n' });
  });

  it('any other error is a bug: thrown as it is, with its stack, not made a line', async () => {
    const bug = new TypeError('x is undefined');
    await expect(failingPrompts(bug)).rejects.toBe(bug);
  });
});
