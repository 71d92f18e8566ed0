/** The line-preserving .env editor that rotate-secret uses (src/scaffold/env-file.ts). */
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvFileError, readEnvEntries, setEnvEntry } from '../../src/scaffold/env-file.js';
import { envValue } from '../../src/scaffold/escape.js';

describe('setEnvEntry', () => {
  it('replaces one entry and keeps every other line, comments included', () => {
    const text = "# comment\nMEDPLUM_BASE_URL='https://x/'\nMEDPLUM_CLIENT_SECRET='old'\nPORT='3000'\n";
    const next = setEnvEntry(text, 'MEDPLUM_CLIENT_SECRET', 'n3w$#"\'');
    expect(next).toBe("# comment\nMEDPLUM_BASE_URL='https://x/'\nMEDPLUM_CLIENT_SECRET=`n3w$#\"'`\nPORT='3000'\n");
    expect(parseEnv(next)).toEqual({ MEDPLUM_BASE_URL: 'https://x/', MEDPLUM_CLIENT_SECRET: 'n3w$#"\'', PORT: '3000' });
  });

  it('replaces a quoted value that spans lines, whole', () => {
    const text = "A='1'\nMEDPLUM_CLIENT_SECRET='line one\nline two'\nB='2'\n";
    expect(parseEnv(setEnvEntry(text, 'MEDPLUM_CLIENT_SECRET', 'new'))).toEqual({ A: '1', MEDPLUM_CLIENT_SECRET: 'new', B: '2' });
  });

  it('appends the entry when it is missing', () => {
    expect(setEnvEntry("A='1'", 'MEDPLUM_CLIENT_SECRET', 's')).toBe("A='1'\nMEDPLUM_CLIENT_SECRET='s'\n");
    expect(setEnvEntry('', 'MEDPLUM_CLIENT_SECRET', 's')).toBe("MEDPLUM_CLIENT_SECRET='s'\n");
  });

  it('keeps CRLF line ends and an export prefix', () => {
    expect(setEnvEntry("A=1\r\nexport S='old'\r\nB=2\r\n", 'S', 'new')).toBe("A=1\r\nexport S='new'\r\nB=2\r\n");
  });

  it.each([
    ['an export prefix with spaces before it', '  export A=1\n', "  export A='new'\n"],
    ['an export prefix with two spaces after it', 'export  A=1\n', "export  A='new'\n"],
    ['a value that starts with export', 'A=export b\n', "A='new'\n"],
  ])('keeps the entry prefix as it was: %s', (_name, text, next) => {
    expect(setEnvEntry(text, 'A', 'new')).toBe(next);
  });
});

describe('readEnvEntries reads each entry as Node does', () => {
  it.each([
    ['a comment holding =', '# A=1\nB=2', { B: '2' }],
    ['an indented comment holding =', '  # A=1\nB=2', { B: '2' }],
    ['a line without =', 'just words\nB=2', { B: '2' }],
    ['a line with no key before =', '=1\nB=2', { B: '2' }],
    ['spaces around the key', '  A = 1', { A: '1' }],
    ['export and two spaces before the key', 'export  A=1', { A: '1' }],
    ['export inside a key', 'X export Y=1', { 'X export Y': '1' }],
    ['an unquoted value with a comment after it', 'A=1 # note', { A: '1' }],
    ['an unquoted value with spaces after it', 'A=1   ', { A: '1' }],
    ['a space before the opening quote', "A= 'x'", { A: 'x' }],
    ['spaces after the closing quote', "A='x'   ", { A: 'x' }],
    ['a comment after the closing quote', "A='x' # note", { A: 'x' }],
    ['a # inside double quotes', 'A="x # y"', { A: 'x # y' }],
    ['a # inside single quotes', "A='x # y'", { A: 'x # y' }],
    ['a # inside backquotes', 'A=`x # y`', { A: 'x # y' }],
    ['\\n inside double quotes, a newline', 'A="a\\nb"', { A: 'a\nb' }],
    ['\\n inside single quotes, kept', "A='a\\nb'", { A: 'a\\nb' }],
    ['\\n inside backquotes, kept', 'A=`a\\nb`', { A: 'a\\nb' }],
  ])('%s', (_name, text, expected) => {
    expect(parseEnv(text)).toEqual(expected);
    expect(Object.fromEntries(readEnvEntries(text).map((e) => [e.key, e.value]))).toEqual(expected);
  });

  it.each(['foo KEY=1', '1A=2', '# KEY=1'])('reads a quoted value over a line that does not start like an entry: %s', (line) => {
    expect(readEnvEntries(`A=1\nS="abc\n${line}\nend"\n`)).toEqual([
      { key: 'A', value: '1', first: 0, last: 0 },
      { key: 'S', value: `abc\n${line}\nend`, first: 1, last: 3 },
    ]);
  });
});


describe('item 7: an ambiguous .env is refused, naming the line to fix', () => {
  it.each([
    ['an unclosed quote before other keys', `A='1'\nMEDPLUM_CLIENT_SECRET="abc\nMEDPLUM_BASE_URL='https://x/'\nPORT='3000'\n`, /line 2: the value of MEDPLUM_CLIENT_SECRET opens a quote \("\) that is never closed/],
    ['a quote that closes only inside a later entry', `S="abc\nMEDPLUM_CLIENT_ID='x'\nT="y"\n`, /line 1: the quote \("\) that opens the value of S closes only on line 3, over lines that look like other entries/],
    ['text after a closing quote', "S='a' b\n", /line 1: text after the closing quote of S/],
    ['a duplicated key', "S='old'\nA=1\nS='retiring'\n", /line 3: S is set again \(first on line 1\): keep one of them/],
    ['a stray carriage return', 'S=a\rb\n', /line 1 holds a carriage return/],
  ])('%s', (_name, text, message) => {
    expect(() => readEnvEntries(text)).toThrow(EnvFileError);
    expect(() => setEnvEntry(text, 'S', 'new')).toThrow(message);
  });

  it.each(['KEY=1', '  KEY=1', 'KEY =1', 'K.E-Y_1=1', 'export KEY=1', 'export  KEY=1'])(
    'refuses a quoted value over a line that starts like an entry, naming both lines: %s',
    (line) => {
      expect(() => readEnvEntries(`A=1\nS="abc\n${line}\nend"\n`)).toThrow(
        new EnvFileError('line 2: the quote (") that opens the value of S closes only on line 4, over lines that look like other entries: close it on line 2'),
      );
    },
  );

  it.each([
    ['text after a closing quote, trimmed to 20 characters', "A=1\nS='a'   this text runs on past twenty\n", 'line 2: text after the closing quote of S (this text runs on pa): remove it or quote the whole value'],
    // Node trims only ASCII whitespace; JavaScript's trim also takes a no-break space (U+00A0).
    ['a value Node reads otherwise', 'B=1\nA=\u00a0x\n', "line 2: Node reads A differently from its text: rewrite the entry as KEY='value'"],
    ['a line Node reads as one more entry, naming the last one', "A=1\nB=2\nC=3\n\u00a0#D=4\n", "line 3: Node reads C differently from its text: rewrite the entry as KEY='value'"],
  ])('refuses %s with the exact message', (_name, text, message) => {
    expect(() => readEnvEntries(text)).toThrow(new EnvFileError(message));
  });
});

/** Keys and values as a project's .env holds them; comments and blank lines between. */
const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/);
const value = fc
  .string({ unit: 'binary', maxLength: 40 })
  .filter((v) => {
    try {
      envValue(v);
    } catch {
      return false; // a CR, a NUL, or all three quotes: refused at the door, never written
    }
    // A value whose later lines start like `KEY=` is refused on read as ambiguous (tested above).
    return !v.split('\n').slice(1).some((l) => /^\s*(export\s+)?[A-Za-z_][\w.-]*\s*=/.test(l));
  });
const line = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 20 }).map((c) => `# ${c.replace(/[\r\n]/g, ' ')}`),
);
const envFile = fc
  .uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 6 })
  .chain((entries) =>
    fc.tuple(fc.constant(entries), fc.array(line, { minLength: entries.length + 1, maxLength: entries.length + 1 })),
  )
  .map(([entries, others]) => ({
    entries,
    text: others.map((o, i) => (i < entries.length ? `${o}\n${entries[i]![0]}=${envValue(entries[i]![1])}\n` : o)).join(''),
  }));

describe('property: the editor round-trips through util.parseEnv', () => {
  it('reads what Node reads', () => {
    fc.assert(
      fc.property(envFile, ({ entries, text }) => {
        expect(Object.fromEntries(readEnvEntries(text).map((e) => [e.key, e.value]))).toEqual(parseEnv(text));
        expect(parseEnv(text)).toEqual(Object.fromEntries(entries));
      }),
    );
  });

  it('setting a key changes only that key, and keeps every other line in order', () => {
    fc.assert(
      fc.property(envFile, key, value, ({ text }, k, v) => {
        const next = setEnvEntry(text, k, v);
        expect(parseEnv(next)).toEqual({ ...parseEnv(text), [k]: v });
        const keys = readEnvEntries(text).map((e) => e.key);
        expect(readEnvEntries(next).map((e) => e.key)).toEqual(keys.includes(k) ? keys : [...keys, k]);
        const otherLines = (t: string) => {
          const entry = readEnvEntries(t).find((e) => e.key === k);
          return t.split('\n').filter((_, i) => !entry || i < entry.first || i > entry.last).join('\n').replace(/\n*$/, '');
        };
        expect(otherLines(next)).toBe(otherLines(text));
        // The editor reads its own output: a second rotation works.
        expect(parseEnv(setEnvEntry(next, k, `${v}2`))[k]).toBe(`${v}2`);
      }),
    );
  });
});
