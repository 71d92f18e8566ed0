import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envValue, EnvValueError, jsonValue, jsString, markdownCode, markdownTableCode, markdownText, shellArg } from '../src/escape.js';
import { HOSTILE } from './helpers.js';

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
