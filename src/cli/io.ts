/** The process as the CLI sees it: streams, env, cwd, how prompts load, and the interrupt signal (index.ts binds the real one). */
import type { Prompter } from './prompts.js';
import type { Stream } from './ui.js';

export interface Io {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** How prompts are loaded; tests may inject their own. */
  readonly loadPrompter?: (interrupt?: AbortSignal) => Promise<Prompter>;
  /** Aborted on SIGINT/SIGTERM with an Interrupted (index.ts): what is under way stops cleanly. */
  readonly interrupt?: AbortSignal;
}

/** CI is set and not "0" or "false": no prompt is ever shown. */
export function isCI(env: Io['env']): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
