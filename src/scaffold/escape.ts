/**
 * One encoder per output context. Every user value reaches a generated file through one of
 * these (as Handlebars helpers, see render.ts), so that quotes, newlines, `$`, `#` and
 * backslashes can neither break the file nor inject into it.
 */

/** A JS/TS string literal, quotes included. */
export function jsString(value: string): string {
  // JSON is a subset of JS string syntax; U+2028/2029 are escaped for older parsers and tools.
  return JSON.stringify(value).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}

/** A JSON value. */
export function jsonValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new TypeError(`Cannot encode ${typeof value} as JSON`);
  }
  return text;
}

/**
 * Which program reads the .env file.
 * - `node`: Node's `--env-file` / `util.parseEnv`.
 * - `vite`: Vite, which parses with `util.parseEnv` and then expands `$VAR` and `${VAR}`
 *   unless the `$` is written `\$`.
 */
export type EnvDialect = 'node' | 'vite';

export class EnvValueError extends Error {}

/**
 * An .env value that the reader gets back exactly. Quoted with the first quote character the
 * value does not contain: inside quotes, `#` starts no comment and a newline is kept as is.
 * Single quotes and backticks are literal; double quotes would turn the two characters `\n`
 * into a newline, so they are the last resort.
 */
export function envValue(value: string, dialect: EnvDialect = 'node'): string {
  if (value.includes('\r') || value.includes('\0')) {
    throw new EnvValueError('contains a carriage return or NUL character, which an .env file cannot hold');
  }
  const text = dialect === 'vite' ? value.replaceAll('$', '\\$') : value;
  const quote = ["'", '`', '"'].find((q) => !text.includes(q) && !(q === '"' && text.includes('\\n')));
  if (quote === undefined) {
    throw new EnvValueError(
      text.includes('"')
        ? 'contains all three quote characters (\' " `), which an .env file cannot hold together'
        : "contains ' and ` and the two characters \\n, which no .env quoting can hold together (double quotes would read \\n as a newline)",
    );
  }
  return quote + text + quote;
}

/** Inline Markdown text: what CommonMark and GitHub would read as markup is backslash-escaped. */
export function markdownText(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\\`*_[\]<>|~&#!]/g, '\\$&');
}

/** An inline Markdown code span: fenced with more backticks than any run inside the value. */
export function markdownCode(value: string): string {
  const text = value.replace(/\s*[\r\n]+\s*/g, ' ');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return fence + pad + text + pad + fence;
}

/**
 * A code span inside a GitHub table cell: there a `|` ends the cell even inside backticks, and
 * GitHub reads `\|` as a literal bar (only in tables).
 */
export function markdownTableCode(value: string): string {
  return markdownCode(value).replaceAll('|', '\\|');
}

/** A POSIX shell word, for commands we print for the user to paste. */
export function shellArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A user's value quoted in a message for the terminal: control characters (CR, ESC, …) and
 * bidirectional overrides shown escaped, never sent raw; a long value cut short.
 */
export function shownValue(value: string, max = 60): string {
  const cut = [...value];
  const head = cut.length > max ? `${cut.slice(0, max).join('')}…` : value;
  const quoted = JSON.stringify(head).replace(/[\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut.length > max ? `${quoted} (${cut.length} characters)` : quoted;
}
