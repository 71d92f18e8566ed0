/**
 * Terminal output: colour only on a TTY and never with NO_COLOR (chalk alone ignores NO_COLOR).
 * chalk is loaded on first use, so --help and --version do not pay for it.
 */
import type { ChalkInstance } from 'chalk';

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Ui {
  readonly color: ChalkInstance;
  /** A line for the human reader; silent in --json mode, where stdout is the JSON alone. */
  info(text?: string): void;
  warn(text: string): void;
  error(text: string): void;
}

/** `detected` is the terminal's colour depth as chalk detects it (1 = basic colours). */
export function colorLevel(
  env: Readonly<Record<string, string | undefined>>,
  stream: Stream,
  detected: 0 | 1 | 2 | 3 = 1,
): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    return 0;
  }
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '') {
    return forced === '0' || forced === 'false' ? 0 : detected || 1;
  }
  return stream.isTTY ? detected || 1 : 0;
}

export async function createUi(
  env: Readonly<Record<string, string | undefined>>,
  stdout: Stream,
  stderr: Stream,
  quiet: boolean,
): Promise<Ui> {
  const { default: chalk, Chalk } = await import('chalk');
  const color = new Chalk({ level: colorLevel(env, stdout, chalk.level) });
  const errColor = new Chalk({ level: colorLevel(env, stderr, chalk.level) });
  return {
    color,
    info: (text = '') => {
      if (!quiet) {
        stdout.write(`${text}\n`);
      }
    },
    warn: (text) => stderr.write(`${errColor.yellow('warning')} ${text}\n`),
    error: (text) => stderr.write(`${errColor.red('error')} ${text}\n`),
  };
}
