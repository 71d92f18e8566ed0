/**
 * The env files of an existing project: values appended (a key already set is never overwritten,
 * it is reported), placeholders appended to .env.example, and .gitignore lines for what must stay
 * private. Each returns undefined when the file already has everything.
 */
import { parseEnv } from 'node:util';
import { envValue, type EnvDialect } from '../scaffold/escape.js';

export interface EnvEntry {
  readonly name: string;
  readonly where: string;
  readonly value: string;
  readonly example: string;
  readonly secret: boolean;
  /** As in methods.ts: a value, a commented-out example, or not stored at all. */
  readonly envFile: 'value' | 'commented' | 'omitted';
}

export interface EnvAppend {
  readonly text: string | undefined;
  /** Keys already set to another value than the one given: left as they are. */
  readonly kept: readonly string[];
}

const HIDDEN = '<hidden>';

function block(header: string, lines: readonly string[]): string {
  return lines.length === 0 ? '' : [``, `# ${header}`, ...lines].join('\n') + '\n';
}

function withBlock(existing: string | undefined, added: string): string | undefined {
  if (added === '') {
    return undefined;
  }
  const before = existing ?? '';
  const separated = before === '' || before.endsWith('\n') ? before : `${before}\n`;
  return (separated + added).replace(/^\n/, '');
}

/** Appends the entries `existing` does not set yet. */
export function appendEnv(existing: string | undefined, entries: readonly EnvEntry[], header: string, dialect: EnvDialect): EnvAppend {
  const set = parseEnv(existing ?? '');
  const kept = entries.filter((e) => Object.hasOwn(set, e.name) && e.envFile === 'value' && e.value !== '' && set[e.name] !== e.value).map((e) => e.name);
  const lines = entries
    .filter((e) => e.envFile !== 'omitted' && !Object.hasOwn(set, e.name) && !(existing ?? '').includes(`# ${e.name}=`))
    .flatMap((e) => [`# ${e.where}`, `${e.envFile === 'commented' ? '# ' : ''}${e.name}=${envValue(e.value, dialect)}`]);
  return { text: withBlock(existing, block(header, lines)), kept };
}

/** Appends a placeholder for each entry .env.example does not mention yet. */
export function appendExample(existing: string | undefined, entries: readonly EnvEntry[], header: string, dialect: EnvDialect): string | undefined {
  const text = existing ?? '';
  const lines = entries
    .filter((e) => !new RegExp(`^\\s*(#\\s*)?${e.name}=`, 'm').test(text))
    .flatMap((e) => [`# ${e.where}`, `${e.envFile === 'value' ? '' : '# '}${e.name}=${envValue(e.example, dialect)}`]);
  return withBlock(existing, block(header, lines));
}

/**
 * The env file as a diff may show it: every value hidden except on the lines in `shown` (the non-secret
 * lines just added). The project's own values never reach the terminal.
 */
export function maskEnv(text: string, shown: ReadonlySet<string>): string {
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        return line;
      }
      const name = /^(?:export\s+)?([\w.-]+)\s*=/.exec(trimmed)?.[1];
      return name && shown.has(line) ? line : name ? `${name}=${HIDDEN}` : HIDDEN;
    })
    .join('\n');
}

/** Whether a .gitignore line (a glob with * and ?) ignores a file at the project's root. */
function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith('/')) {
    return false; // `.env/` ignores only a directory of that name, never the file
  }
  const glob = pattern.replace(/^\//, '');
  const regex = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')}$`);
  return regex.test(name);
}

export function isIgnored(gitignore: string, name: string): boolean {
  let ignored = false;
  for (const raw of gitignore.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    if (line.startsWith('!')) {
      ignored &&= !matches(line.slice(1), name);
    } else if (matches(line, name)) {
      ignored = true;
    }
  }
  return ignored;
}

/** Adds a line for each file (as `probe` -> line to add) that .gitignore does not ignore yet. */
export function ensureIgnored(existing: string | undefined, wanted: readonly { probe: string; line: string }[], header: string): string | undefined {
  const lines = wanted.filter((w) => !isIgnored(existing ?? '', w.probe)).map((w) => w.line);
  return withBlock(existing, block(header, lines));
}
