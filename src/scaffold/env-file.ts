/**
 * A project's .env, read and edited line by line (rotate-secret): one entry is replaced, and
 * every other line (comments, blank lines, order, other keys) stays byte for byte.
 *
 * It reads the file as Node's `util.parseEnv` does, and refuses a file that could be read more
 * than one way, naming the line to fix: a quote that is never closed, a quoted value that runs on
 * over lines that look like other entries, text after a closing quote, a key set twice (Node
 * takes the last, an editor would change the first).
 */
import { parseEnv } from 'node:util';
import { envValue } from './escape.js';

export interface EnvEntry {
  readonly key: string;
  readonly value: string;
  /** The entry's first and last line (0-based): a quoted value may span lines. */
  readonly first: number;
  readonly last: number;
}

export class EnvFileError extends Error {}

/**
 * Whether a line starts like an entry of its own: `KEY=` or `export KEY=`. A function, not a
 * module-level regex, so that the tests run it (code run only at load escapes mutation testing).
 */
function looksLikeEntry(line: string): boolean {
  return /^\s*(export\s+)?[A-Za-z_][\w.-]*\s*=/.test(line);
}

/** The entries of an .env text, in order; throws EnvFileError naming the line of an ambiguity. */
export function readEnvEntries(text: string): EnvEntry[] {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const stray = lines.findIndex((line) => line.includes('\r'));
  if (stray !== -1) {
    throw new EnvFileError(`line ${stray + 1} holds a carriage return inside it: remove it`);
  }
  const entries: EnvEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const equals = line.indexOf('=');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || equals === -1) {
      continue;
    }
    const key = line.slice(0, equals).trim().replace(/^export\s+/, '');
    if (key === '') {
      continue;
    }
    const rest = line.slice(equals + 1).trimStart();
    const quote = rest[0] ?? '';
    let value: string;
    let last = i;
    // The quotes a value may open with.
    if (['"', "'", '`'].includes(quote)) {
      let close = rest.indexOf(quote, 1);
      let after: string;
      if (close !== -1) {
        value = rest.slice(1, close);
        after = rest.slice(close + 1);
      } else {
        const parts = [rest.slice(1)];
        do {
          last++;
        } while (last < lines.length && !(lines[last] as string).includes(quote));
        if (last === lines.length) {
          throw new EnvFileError(`line ${i + 1}: the value of ${key} opens a quote (${quote}) that is never closed: close it or remove it`);
        }
        const between = lines.slice(i + 1, last);
        const closing = lines[last] as string;
        close = closing.indexOf(quote);
        if ([...between, closing.slice(0, close)].some(looksLikeEntry)) {
          throw new EnvFileError(
            `line ${i + 1}: the quote (${quote}) that opens the value of ${key} closes only on line ${last + 1}, over lines that look like other entries: close it on line ${i + 1}`,
          );
        }
        value = [...parts, ...between, closing.slice(0, close)].join('\n');
        after = closing.slice(close + 1);
      }
      if (after.trim() !== '' && !after.trim().startsWith('#')) {
        throw new EnvFileError(`line ${last + 1}: text after the closing quote of ${key} (${after.trim().slice(0, 20)}): remove it or quote the whole value`);
      }
      if (quote === '"') {
        value = value.replaceAll('\\n', '\n');
      }
    } else {
      const hash = rest.indexOf('#');
      value = (hash === -1 ? rest : rest.slice(0, hash)).trim();
    }
    const earlier = entries.find((e) => e.key === key);
    if (earlier) {
      throw new EnvFileError(`line ${i + 1}: ${key} is set again (first on line ${earlier.first + 1}): keep one of them`);
    }
    entries.push({ key, value, first: i, last });
    i = last;
  }
  // A last guard: what Node reads must be what was read here.
  const node = parseEnv(text);
  const differs = entries.find((e) => node[e.key] !== e.value) ?? (Object.keys(node).length !== entries.length ? entries.at(-1) : undefined);
  if (differs) {
    throw new EnvFileError(`line ${differs.first + 1}: Node reads ${differs.key} differently from its text: rewrite the entry as KEY='value'`);
  }
  return entries;
}

/** Replaces the entry for `key` (all its lines) or appends one; every other line is kept as it is. */
export function setEnvEntry(text: string, key: string, value: string): string {
  const entry = `${key}=${envValue(value)}`;
  const found = readEnvEntries(text).find((e) => e.key === key);
  if (!found) {
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${entry}\n`;
  }
  const lines = text.split('\n');
  const original = lines[found.first] as string;
  const prefix = /^\s*export\s+/.exec(original)?.[0] ?? '';
  const eol = (lines[found.last] as string).endsWith('\r') ? '\r' : '';
  lines.splice(found.first, found.last - found.first + 1, `${prefix}${entry}${eol}`);
  return lines.join('\n');
}
