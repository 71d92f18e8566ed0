/**
 * package.json, text in and text out: which versions isCompatible accepts, and what
 * mergeDependencies adds, replaces and keeps of the file's own format.
 */
import { describe, expect, it } from 'vitest';
import { isCompatible, mergeDependencies } from '../../src/add/package-json.js';

describe('isCompatible', () => {
  it.each([
    ['^5.0.0', '^5.2.13', true],
    ['>=4', '^5.2.13', true],
    ['^3.2.0', '^5.2.13', false],
    ['~6.0.0', '^5.2.13', false],
    ['workspace:*', '^5.2.13', true],
    ['latest', '^5.2.13', true],
    ['github:medplum/medplum', '^5.2.13', true],
    ['^3.2.0', '>5 <4', true],
  ])('have %s, want %s: %s', (have, want, compatible) => {
    expect(isCompatible(have, want)).toBe(compatible);
  });
});

describe('mergeDependencies', () => {
  const PKG = '{\n  "name": "svc",\n  "dependencies": {\n    "express": "^5.1.0",\n    "zod": "^3.0.0"\n  }\n}\n';

  it('adds a dependency in sorted order, keeping the final newline', () => {
    expect(mergeDependencies(PKG, { '@medplum/core': '^5.2.13', lodash: '^4.0.0' }, false)).toEqual({
      text: '{\n  "name": "svc",\n  "dependencies": {\n    "@medplum/core": "^5.2.13",\n    "express": "^5.1.0",\n    "lodash": "^4.0.0",\n    "zod": "^3.0.0"\n  }\n}\n',
      added: ['@medplum/core', 'lodash'],
      incompatible: [],
    });
  });

  it('into devDependencies, a section it creates', () => {
    expect(mergeDependencies(PKG, { postcss: '^8.5.0' }, false, 'devDependencies').text).toBe(
      '{\n  "name": "svc",\n  "dependencies": {\n    "express": "^5.1.0",\n    "zod": "^3.0.0"\n  },\n  "devDependencies": {\n    "postcss": "^8.5.0"\n  }\n}\n',
    );
  });

  it.each([
    ['four spaces', '{\n    "name": "svc"\n}\n', '{\n    "name": "svc",\n    "dependencies": {\n        "zod": "^3.0.0"\n    }\n}\n'],
    ['CRLF', '{\r\n  "name": "svc"\r\n}\r\n', '{\r\n  "name": "svc",\r\n  "dependencies": {\r\n    "zod": "^3.0.0"\r\n  }\r\n}\r\n'],
    ['one line: two spaces', '{"name": "svc"}', '{\n  "name": "svc",\n  "dependencies": {\n    "zod": "^3.0.0"\n  }\n}'],
  ])('keeps the indentation and line ends of a file in %s', (_, text, merged) => {
    expect(mergeDependencies(text, { zod: '^3.0.0' }, false).text).toBe(merged);
  });

  it('nothing to add: no text', () => {
    expect(mergeDependencies(PKG, { zod: '^3.2.0' }, false)).toEqual({ text: undefined, added: [], incompatible: [] });
  });

  it('with --force and only compatible versions: still no text', () => {
    expect(mergeDependencies(PKG, { zod: '^3.2.0' }, true)).toEqual({ text: undefined, added: [], incompatible: [] });
  });

  it('an incompatible version is reported and kept without --force, even when something else is added', () => {
    expect(mergeDependencies(PKG, { zod: '^4.0.0', '@medplum/core': '^5.2.13' }, false)).toEqual({
      text: '{\n  "name": "svc",\n  "dependencies": {\n    "@medplum/core": "^5.2.13",\n    "express": "^5.1.0",\n    "zod": "^3.0.0"\n  }\n}\n',
      added: ['@medplum/core'],
      incompatible: [{ name: 'zod', have: '^3.0.0', want: '^4.0.0' }],
    });
  });

  it('with --force, an incompatible version is replaced in the section that has it', () => {
    const text = '{\n  "dependencies": {\n    "express": "^5.1.0"\n  },\n  "devDependencies": {\n    "zod": "^3.0.0"\n  }\n}\n';
    expect(mergeDependencies(text, { zod: '^4.0.0' }, true)).toEqual({
      text: '{\n  "dependencies": {\n    "express": "^5.1.0"\n  },\n  "devDependencies": {\n    "zod": "^4.0.0"\n  }\n}\n',
      added: [],
      incompatible: [{ name: 'zod', have: '^3.0.0', want: '^4.0.0' }],
    });
  });

  it('with --force, replacing a version adds no empty dependencies section to a file without one', () => {
    const text = '{\n  "devDependencies": {\n    "zod": "^3.0.0"\n  }\n}\n';
    expect(mergeDependencies(text, { zod: '^4.0.0' }, true).text).toBe('{\n  "devDependencies": {\n    "zod": "^4.0.0"\n  }\n}\n');
  });
});
