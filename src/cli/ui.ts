/**
 * Terminal output: colour only on a TTY and never with NO_COLOR. Node's own styleText does the
 * colouring: the basic colours are all we use, and a colour library would cost start-up time.
 */
import { styleText } from 'node:util';

export interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const STYLES = ['bold', 'dim', 'red', 'green', 'yellow', 'cyan'] as const;

/** Each style as a function of the text; the text unchanged where colour is off. */
export type Colors = Readonly<Record<(typeof STYLES)[number], (text: string) => string>>;

export interface Ui {
  readonly color: Colors;
  /** A line for the human reader; silent in --json mode, where stdout is the JSON alone. */
  info(text?: string): void;
  warn(text: string): void;
  error(text: string): void;
}

/** Whether to colour what goes to `stream`: 1 for colour, 0 for none. */
export function colorLevel(env: Readonly<Record<string, string | undefined>>, stream: Stream): 0 | 1 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    return 0;
  }
  const forced = env.FORCE_COLOR;
  if (forced !== undefined && forced !== '') {
    return forced === '0' || forced === 'false' ? 0 : 1;
  }
  return stream.isTTY ? 1 : 0;
}

function colors(on: boolean): Colors {
  // validateStream: false, as colorLevel has decided (styleText would look at process.stdout).
  const style = (name: (typeof STYLES)[number]) => (on ? (text: string) => styleText(name, text, { validateStream: false }) : (text: string) => text);
  return Object.fromEntries(STYLES.map((name) => [name, style(name)])) as Colors;
}

/** --debug's sink: each line on stderr as `debug <line>`, or undefined when --debug is off. */
export function debugLines(on: boolean, stderr: Stream): ((line: string) => void) | undefined {
  return on ? (line) => void stderr.write(`debug ${line}\n`) : undefined;
}

export function createUi(env: Readonly<Record<string, string | undefined>>, stdout: Stream, stderr: Stream, quiet: boolean): Ui {
  const errColor = colors(colorLevel(env, stderr) === 1);
  return {
    color: colors(colorLevel(env, stdout) === 1),
    info: (text = '') => {
      if (!quiet) {
        stdout.write(`${text}\n`);
      }
    },
    warn: (text) => stderr.write(`${errColor.yellow('warning')} ${text}\n`),
    error: (text) => stderr.write(`${errColor.red('error')} ${text}\n`),
  };
}
