import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { marked } from 'marked';
import { loadEnv } from 'vite';
import { describe, expect, it } from 'vitest';
import { envValue, EnvValueError, jsonValue, jsString, markdownCode, markdownTableCode, markdownText, shellArg, shownValue } from '../../src/scaffold/escape.js';
import { HOSTILE, tempDir } from '../helpers.js';

const NASTY = [
  '',
  'plain',
  "it's",
  'say "hi"',
  'back`tick',
  `'"`,
  `'\``,
  `"\``,
  '${HOME} $PATH $(id) `id`',
  '# not a comment',
  'value # trailing',
  'back\\slash \\n \\\\ \\',
  'two\nlines\n',
  '  padded  ',
  'ünïcødé 🔐 \u2028\u2029',
  HOSTILE.clientId,
  HOSTILE.clientSecret,
];

describe('envValue', () => {
  it.each(NASTY)('%j reads back exactly with util.parseEnv, without touching the next line', (value) => {
    const parsed = parseEnv(`A=${envValue(value)}\nB=after\n`);
    expect(parsed).toEqual({ A: value, B: 'after' });
  });

  it('refuses what no .env quoting can hold', () => {
    expect(() => envValue('a\rb')).toThrow(EnvValueError);
    expect(() => envValue('a\0b')).toThrow(EnvValueError);
    expect(() => envValue(`'"\``)).toThrow(/all three quote characters/);
    // Double quotes are the one way left for a value with ' and `, but they read the two characters \n as a newline.
    expect(() => envValue("it's `x` \\n")).toThrow(/' and ` and the two characters \\n/);
    expect(parseEnv(`A=${envValue('it\'s \\n')}\n`).A).toBe('it\'s \\n');
  });

  it('escapes $ for Vite, which expands $VAR unless written \\$', () => {
    expect(envValue('a$b', 'vite')).toBe("'a\\$b'");
    expect(envValue('a$b', 'node')).toBe("'a$b'");
  });
});

describe('jsString', () => {
  it.each(NASTY)('%j evaluates back to the same string', (value) => {
    expect(new Function(`return ${jsString(value)};`)()).toBe(value);
  });
});

describe('jsonValue', () => {
  it.each(NASTY)('%j parses back', (value) => {
    expect(JSON.parse(`{"a": ${jsonValue(value)}}`)).toEqual({ a: value });
  });
});

describe('markdown', () => {
  it('escapes markup and folds newlines so a value cannot start a block', () => {
    expect(markdownText('a *b* _c_ [d](e) <f> | # g\n# h')).toBe('a \\*b\\* \\_c\\_ \\[d\\](e) \\<f\\> \\| \\# g \\# h');
  });

  it('fences code spans past any backtick run inside', () => {
    expect(markdownCode('plain')).toBe('`plain`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('``x')).toBe('``` ``x ```');
    expect(markdownCode('one\ntwo')).toBe('`one two`');
  });

  it('escapes the bar that would end a table cell', () => {
    expect(markdownTableCode('https://idp.example.com/a|b')).toBe('`https://idp.example.com/a\\|b`');
  });
});

describe('shellArg', () => {
  it('quotes only what the shell would split or expand', () => {
    expect(shellArg('my-app')).toBe('my-app');
    expect(shellArg('my app')).toBe("'my app'");
    expect(shellArg("it's $x")).toBe("'it'\\''s $x'");
  });
});

/** Property tests: every value an escape helper accepts comes back exactly from its reader. */
describe('shownValue', () => {
  it('escapes controls and bidi overrides and cuts by characters, not UTF-16 units', () => {
    expect(shownValue('a\r\u001b\u202eb')).toBe('"a\\r\\u001b\\u202eb"');
    expect(shownValue('🔐'.repeat(100), 3)).toBe('"🔐🔐🔐…" (100 characters)');
  });

  it('keeps a value of exactly the limit whole, and cuts one character more', () => {
    expect(shownValue('a'.repeat(60))).toBe(JSON.stringify('a'.repeat(60)));
    expect(shownValue('a'.repeat(61))).toBe(`"${'a'.repeat(60)}…" (61 characters)`);
    expect(shownValue('\u0085\u2066x')).toBe('"\\u0085\\u2066x"');
  });
});

describe('jsonValue', () => {
  it('refuses what JSON cannot encode, naming it', () => {
    expect(() => jsonValue(undefined)).toThrow('Cannot encode undefined as JSON');
    expect(() => jsonValue(() => 1)).toThrow('Cannot encode function as JSON');
  });
});

describe('property: each escape helper round-trips through the real reader', () => {
  /** Any text, of any Unicode, including the characters each context cares about. */
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.constantFrom(...'\'"`$\\#{}\n *_[]<>|~&!'.split(''), 'a', ' '), { maxLength: 30 }).map((c) => c.join('')),
  );
  const envSafe = text.filter((v) => {
    try {
      envValue(v);
      return true;
    } catch (err) {
      expect(err).toBeInstanceOf(EnvValueError); // refused only for what no .env can hold
      return false;
    }
  });

  it('env, Node dialect: util.parseEnv reads the value back, and the next line stays its own', () => {
    fc.assert(fc.property(envSafe, (v) => void expect(parseEnv(`A=${envValue(v)}\nB=after\n`)).toEqual({ A: v, B: 'after' })));
  });

  it("env, Vite dialect: vite's loadEnv (parseEnv, then dotenv-expand) reads the value back", async () => {
    const dir = await tempDir();
    fc.assert(
      fc.property(envSafe, (v) => {
        writeFileSync(join(dir, '.env'), `VITE_A=${envValue(v, 'vite')}\nVITE_B=after\n`);
        expect(loadEnv('development', dir, 'VITE_')).toMatchObject({ VITE_A: v, VITE_B: 'after' });
      }),
      { numRuns: 60 },
    );
  });

  it('JS string: evaluates to the value', () => {
    fc.assert(fc.property(text, (v) => void expect(new Function(`return ${jsString(v)};`)()).toBe(v)));
  });

  it('JSON: parses to the value', () => {
    fc.assert(fc.property(text, (v) => void expect(JSON.parse(`{"a": ${jsonValue(v)}, "b": 1}`)).toEqual({ a: v, b: 1 })));
  });

  /** What a reader sees of inline Markdown: the text, markup gone, entities decoded. */
  const shown = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const folded = (v: string) => v.replace(/\s*[\r\n]+\s*/g, ' ');
  const inline = text.map((v) => `x ${v} x`); // Markdown trims a paragraph's ends; the x's keep them

  it('Markdown text: rendered by a CommonMark parser (marked), it is the value as plain text', () => {
    fc.assert(fc.property(inline, (v) => void expect(shown(marked.parseInline(markdownText(v)) as string)).toBe(folded(v))));
  });

  it('Markdown code span: a value that starts or ends with a backtick or a space is padded, and reads back', () => {
    for (const v of ['`a', 'a`', ' a', '`', '` `']) {
      const html = marked.parseInline(`x ${markdownCode(v)} x`) as string;
      expect(shown(/<code>([^]*)<\/code>/.exec(html)?.[1] ?? ''), v).toBe(v);
    }
  });

  it('Markdown code span: rendered, it is one <code> holding the value', () => {
    fc.assert(
      fc.property(inline, (v) => {
        const html = marked.parseInline(markdownCode(v)) as string;
        expect(html).toMatch(/^<code>[^]*<\/code>$/);
        expect(shown(html.slice('<code>'.length, -'</code>'.length))).toBe(folded(v));
      }),
    );
  });
});
