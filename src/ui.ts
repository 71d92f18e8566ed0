/** Terminal output: colour only on a TTY and never with NO_COLOR (chalk alone ignores NO_COLOR). */
import chalk, { Chalk, type ChalkInstance } from 'chalk';

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

export function colorLevel(env: Readonly<Record<string, string | undefined>>, stream: Stream): 0 | 1 | 2 | 3 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    return 0;
  }
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '') {
    return forced === '0' || forced === 'false' ? 0 : chalk.level || 1;
  }
  return stream.isTTY ? chalk.level || 1 : 0;
}

export function createUi(
  env: Readonly<Record<string, string | undefined>>,
  stdout: Stream,
  stderr: Stream,
  quiet: boolean,
): Ui {
  const color = new Chalk({ level: colorLevel(env, stdout) });
  const errColor = new Chalk({ level: colorLevel(env, stderr) });
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
