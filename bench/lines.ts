/**
 * The size of each generated starter against issue 9's budgets: app code (the project's `src/`
 * without tests and test helpers), tests plus test helpers, and the largest shipped fake.
 * `node bench/lines.ts` prints the table; bench.ts adds it to bench/RESULTS.md; test/starters/budgets.test.ts
 * holds every starter to the budgets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/create-medplum-auth.js');

/** The starters: each method, and each UI for the web methods. */
export const STARTERS = [
  { method: 'oauth-auth-code', ui: 'medplum' },
  { method: 'oauth-auth-code', ui: 'plain' },
  { method: 'google-auth', ui: 'medplum', args: ['--google-client-id', '1-x.apps.googleusercontent.com'] },
  { method: 'google-auth', ui: 'plain', args: ['--google-client-id', '1-x.apps.googleusercontent.com'] },
  { method: 'external-idp', ui: 'medplum', args: ['--idp', 'okta', '--idp-domain', 'example.okta.com'] },
  { method: 'external-idp', ui: 'plain', args: ['--idp', 'okta', '--idp-domain', 'example.okta.com'] },
  { method: 'domain-idp', ui: 'medplum' },
  { method: 'domain-idp', ui: 'plain' },
  { method: 'client-credentials' },
  { method: 'basic-auth' },
  { method: 'token-exchange', args: ['--idp', 'auth0', '--idp-domain', 'example.us.auth0.com'] },
  { method: 'device-credentials' },
  { method: 'jwt-assertion' },
] as const satisfies readonly { method: string; ui?: 'medplum' | 'plain'; args?: readonly string[] }[];

export type Starter = (typeof STARTERS)[number];

/** Issue 9: app code per web UI; tests and helpers no more than the app; no fake over 100 lines. */
export const BUDGET = { appLines: { medplum: 200, plain: 400 }, fakeLines: 100 } as const;

export interface StarterLines {
  readonly name: string;
  readonly appLines: number;
  readonly testLines: number;
  readonly largestFake: { readonly path: string; readonly lines: number } | undefined;
  /** The app budget, where there is one (web UIs). */
  readonly appBudget: number | undefined;
}

const lineCount = (path: string): number => readFileSync(path, 'utf8').split('\n').filter((line, i, all) => i < all.length - 1 || line !== '').length;
const isTestHelper = (rel: string): boolean => /\.test\.[cm]?[jt]sx?$/.test(rel) || rel.split('/').includes('testing');
const isFake = (rel: string): boolean => rel.split('/').includes('testing') || /(^|\/)fake[^/]*$/i.test(rel);

/** Generates the starter into a temp folder and counts its lines. */
export function measureStarter(starter: Starter): StarterLines {
  const work = mkdtempSync(join(tmpdir(), 'cma-lines-'));
  try {
    const dir = join(work, 'app');
    const ui = 'ui' in starter ? ['--ui', starter.ui] : [];
    const extra = 'args' in starter ? starter.args : [];
    execFileSync(process.execPath, [BIN, dir, '--method', starter.method, ...ui, ...extra, '--client-id', 'c', '--base-url', 'https://api.medplum.com/', '--yes', '--no-install', '--no-git'], {
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const src = join(dir, 'src');
    let appLines = 0;
    let testLines = 0;
    let largestFake: StarterLines['largestFake'];
    for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const rel = relative(src, path).split('\\').join('/');
      const lines = lineCount(path);
      if (!isTestHelper(rel)) {
        appLines += lines;
        continue;
      }
      testLines += lines;
      if (isFake(rel) && lines > (largestFake?.lines ?? 0)) {
        largestFake = { path: `src/${rel}`, lines };
      }
    }
    const appBudget = 'ui' in starter ? BUDGET.appLines[starter.ui] : undefined;
    return { name: 'ui' in starter ? `${starter.method} (--ui ${starter.ui})` : starter.method, appLines, testLines, largestFake, appBudget };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Markdown table of every starter against the budgets. */
export function linesTable(rows: readonly StarterLines[]): string[] {
  const mark = (ok: boolean) => (ok ? '✔' : '✘');
  return [
    `| Starter | App lines (budget) | Test + helper lines (≤ app) | Largest fake (≤ ${BUDGET.fakeLines}) |`,
    '| --- | --- | --- | --- |',
    ...rows.map((r) => {
      const app = r.appBudget === undefined ? `${r.appLines}` : `${r.appLines} (≤ ${r.appBudget}) ${mark(r.appLines <= r.appBudget)}`;
      const tests = `${r.testLines} ${mark(r.testLines <= r.appLines)}`;
      const fake = r.largestFake ? `${r.largestFake.lines} \`${r.largestFake.path}\` ${mark(r.largestFake.lines <= BUDGET.fakeLines)}` : 'none';
      return `| ${r.name} | ${app} | ${tests} | ${fake} |`;
    }),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(linesTable(STARTERS.map(measureStarter)).join('\n'));
}
