/**
 * Edits to a project's own source, text in and text out: where wrapElement puts the wrapper and the
 * import, and how relative imports are written with or without their extension.
 */
import { describe, expect, it } from 'vitest';
import { importSpecifier, usesExtensions, withoutExtensions, wrapElement } from '../../src/add/source-edit.js';

const IMPORT = "import { MedplumAuth } from './MedplumAuth';";
const wrap = (source: string) => wrapElement(source, '<App />', 'MedplumAuth', IMPORT);

describe('wrapElement', () => {
  it.each([
    ['absent', "import App from './App';\nrender(<Main />);\n"],
    ['there twice', "import App from './App';\nrender(<App />);\nhydrate(<App />);\n"],
  ])('an element %s: no edit', (_, source) => {
    expect(wrap(source)).toBeUndefined();
  });

  it.each([
    [
      'on a line of its own: its own lines, one level deeper',
      "import App from './App';\n\nrender(\n    <App />\n);\n",
      "import App from './App';\nimport { MedplumAuth } from './MedplumAuth';\n\nrender(\n    <MedplumAuth>\n      <App />\n    </MedplumAuth>\n);\n",
    ],
    [
      'at the end of a file without a final newline',
      "import App from './App';\nexport const root = <App />",
      "import App from './App';\nimport { MedplumAuth } from './MedplumAuth';\nexport const root = <MedplumAuth><App /></MedplumAuth>",
    ],
    ['at the very start, in a file without imports: the import on top', '<App />\n', `${IMPORT}\n<MedplumAuth>\n  <App />\n</MedplumAuth>\n`],
    [
      'after double-quoted imports without semicolons: the import in their style',
      'import React from "react"\nimport App from "./App"\nrender(<App />)\n',
      'import React from "react"\nimport App from "./App"\nimport { MedplumAuth } from "./MedplumAuth"\nrender(<MedplumAuth><App /></MedplumAuth>)\n',
    ],
    [
      'after a side-effect import',
      "import App from './App';\nimport './index.css';\nrender(<App />);\n",
      "import App from './App';\nimport './index.css';\nimport { MedplumAuth } from './MedplumAuth';\nrender(<MedplumAuth><App /></MedplumAuth>);\n",
    ],
    [
      'after an import with no space before its quote',
      "import App from'./App';\nrender(<App />);\n",
      "import App from'./App';\nimport { MedplumAuth } from './MedplumAuth';\nrender(<MedplumAuth><App /></MedplumAuth>);\n",
    ],
    [
      'after the last import, not after a commented-out one',
      "import App from './App';\n// import Old from './Old';\nrender(<App />);\n",
      "import App from './App';\nimport { MedplumAuth } from './MedplumAuth';\n// import Old from './Old';\nrender(<MedplumAuth><App /></MedplumAuth>);\n",
    ],
    [
      'after the last import line that ends with the import (one with a trailing comment does not)',
      "import App from './App';\nimport Theme from './theme'; // colours\nrender(<App />);\n",
      "import App from './App';\nimport { MedplumAuth } from './MedplumAuth';\nimport Theme from './theme'; // colours\nrender(<MedplumAuth><App /></MedplumAuth>);\n",
    ],
  ])('an element %s', (_, source, edited) => {
    expect(wrap(source)).toBe(edited);
  });
});

describe('usesExtensions', () => {
  it.each([
    ["import App from './App.tsx'", true],
    ["import { x } from '../lib/x.ts'", true],
    ["import x from './x.js'", true],
    ["import x from  './x.jsx'", true],
    ["import App from './App'", false],
    ["import data from './data.tsv'", false],
    ["import x from 'some-package/x.ts'", false],
  ])('%s: %s', (source, uses) => {
    expect(usesExtensions(source)).toBe(uses);
  });
});

describe('importSpecifier', () => {
  it.each([
    ['', './medplum/MedplumAuth.tsx', './medplum/MedplumAuth'],
    ['', './MedplumAuth.ts', './MedplumAuth'],
    ['', './MedplumAuth.js', './MedplumAuth'],
    ['', './lib.js/MedplumAuth.jsx', './lib.js/MedplumAuth'],
    ["import App from './App.tsx'", './medplum/MedplumAuth.tsx', './medplum/MedplumAuth.tsx'],
  ])('in %j: %s -> %s', (source, path, specifier) => {
    expect(importSpecifier(source, path)).toBe(specifier);
  });
});

describe('withoutExtensions', () => {
  it('drops .ts and .tsx from relative imports only', () => {
    expect(withoutExtensions("import { a } from './a.tsx';\nimport b from  '../b.ts';\nimport c from 'c/c.ts';\nimport d from './d.js';\n")).toBe(
      "import { a } from './a';\nimport b from  '../b';\nimport c from 'c/c.ts';\nimport d from './d.js';\n",
    );
  });
});
