/** The process as the CLI sees it: streams, env, cwd, how prompts load, and the interrupt signal (index.ts binds the real one). */
import { loadPrompter, type Prompter } from './prompts.js';
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

/**
 * The prompts, when a run may ask: a terminal on both ends, not CI, and neither --yes nor --json.
 * Otherwise undefined, and a missing answer is an error that names its flag.
 */
export async function prompterFor(io: Io, flags: { readonly yes?: boolean; readonly json: boolean }): Promise<Prompter | undefined> {
  const interactive = !flags.yes && !flags.json && !isCI(io.env) && io.stdinIsTTY && io.stdout.isTTY === true;
  return interactive ? (io.loadPrompter ?? loadPrompter)(io.interrupt) : undefined;
}

/** CI is set and not "0" or "false": no prompt is ever shown. */
export function isCI(env: Io['env']): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
