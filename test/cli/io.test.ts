/**
 * src/cli/io.ts in process: when a run may show prompts (a terminal on both ends, not CI, neither
 * --yes nor --json), and which values of CI count as CI.
 */
import { describe, expect, it } from 'vitest';
import { isCI, prompterFor, type Io } from '../../src/cli/io.js';
import type { Prompter } from '../../src/cli/prompts.js';

describe('isCI', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['no', true],
  ])('CI=%j: %s', (ci, expected) => {
    expect(isCI({ CI: ci })).toBe(expected);
  });
});

describe('prompterFor', () => {
  const prompter = {} as Prompter;
  /** An Io whose prompts are `prompter`, recording the signal they were loaded with; a terminal on both ends unless told. */
  function io(overrides: { env?: Io['env']; stdinIsTTY?: boolean; stdoutIsTTY?: boolean } = {}) {
    const loadedWith: (AbortSignal | undefined)[] = [];
    const value: Io = {
      stdout: { write: () => true, isTTY: overrides.stdoutIsTTY ?? true },
      stderr: { write: () => true, isTTY: true },
      stdinIsTTY: overrides.stdinIsTTY ?? true,
      env: overrides.env ?? {},
      cwd: '/',
      interrupt: new AbortController().signal,
      loadPrompter: async (interrupt) => {
        loadedWith.push(interrupt);
        return prompter;
      },
    };
    return { io: value, loadedWith };
  }

  it('a terminal on both ends, not CI, no --yes or --json: the prompts, loaded with the interrupt signal', async () => {
    const { io: terminal, loadedWith } = io({ env: { CI: '0' } });
    expect(await prompterFor(terminal, { json: false })).toBe(prompter);
    expect(loadedWith).toEqual([terminal.interrupt]);
  });

  it.each([
    ['--yes', {}, { yes: true, json: false }],
    ['--json', {}, { json: true }],
    ['CI=1', { env: { CI: '1' } }, { json: false }],
    ['stdin not a terminal', { stdinIsTTY: false }, { json: false }],
    ['stdout not a terminal', { stdoutIsTTY: false }, { json: false }],
  ])('%s: no prompts, and none loaded', async (_, overrides, flags) => {
    const { io: run, loadedWith } = io(overrides);
    expect(await prompterFor(run, flags)).toBeUndefined();
    expect(loadedWith).toEqual([]);
  });
});
