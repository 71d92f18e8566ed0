/**
 * Merges the Stryker reports of `--mutate` subsets into one incremental file, so that a whole
 * `npm run mutate` (all of src/, `--incremental`) reuses their results instead of testing every
 * mutant again: a whole run takes hours on 2 cores, a subset (one folder of src/) tens of minutes.
 *
 *   node bench/merge-mutation.ts bench/stryker-incremental.json a.json b.json …
 *
 * Each input is a report of the mutation-testing-report schema (Stryker's incremental file or its
 * JSON report). Test ids are numbers that each run gives its own tests, so they are renumbered by
 * (test file, test name) across the inputs. A later input wins for a file of src/ that more than one
 * holds, and for a test file's source; its tests are the union of the inputs', by name. Stryker then
 * checks every reused result against today's code and tests, as it does for its own incremental
 * file: a mutant whose code or covering tests changed is tested again.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Test {
  readonly id: string;
  readonly name: string;
  readonly [key: string]: unknown;
}
interface Mutant {
  readonly id: string;
  readonly coveredBy?: readonly string[];
  readonly killedBy?: readonly string[];
  readonly [key: string]: unknown;
}
interface Report {
  readonly files: Record<string, { readonly mutants: readonly Mutant[]; readonly [key: string]: unknown }>;
  readonly testFiles?: Record<string, { readonly tests: readonly Test[]; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

const [out, ...inputs] = process.argv.slice(2);
if (out === undefined || inputs.length === 0) {
  console.error('Usage: node bench/merge-mutation.ts <out.json> <report.json>…');
  process.exit(2);
}

const reports = inputs.map((path) => JSON.parse(readFileSync(path, 'utf8')) as Report);
/** (test file, test name) -> the merged id. */
const ids = new Map<string, string>();
const idOf = (file: string, name: string) => {
  const key = `${file}\0${name}`;
  if (!ids.has(key)) {
    ids.set(key, String(ids.size));
  }
  return ids.get(key) as string;
};

const files: Record<string, Report['files'][string]> = {};
const testFiles: NonNullable<Report['testFiles']> = {};
let nextMutant = 0;
for (const report of reports) {
  /** This report's test id -> the merged one. */
  const local = new Map<string, string>();
  for (const [file, { tests, ...rest }] of Object.entries(report.testFiles ?? {})) {
    // The union by name, so that every test a result names is there: one an earlier input names but
    // this one no longer has (renamed, removed) is one Stryker does not find, and it tests again.
    const byId = new Map((testFiles[file]?.tests ?? []).map((test) => [test.id, test]));
    for (const test of tests) {
      local.set(test.id, idOf(file, test.name));
      byId.set(idOf(file, test.name), { ...test, id: idOf(file, test.name) });
    }
    testFiles[file] = { ...rest, tests: [...byId.values()] };
  }
  const remap = (list: readonly string[] | undefined) => list?.map((id) => local.get(id) ?? id);
  for (const [file, { mutants, ...rest }] of Object.entries(report.files)) {
    files[file] = {
      ...rest,
      mutants: mutants.map((m) => ({ ...m, id: String(nextMutant++), coveredBy: remap(m.coveredBy), killedBy: remap(m.killedBy) })),
    };
  }
}

const last = reports.at(-1) as Report;
writeFileSync(out, JSON.stringify({ ...last, files, testFiles }));
const count = Object.values(files).reduce((sum, f) => sum + f.mutants.length, 0);
console.log(`${out}: ${Object.keys(files).length} files of src/, ${count} mutants, ${Object.keys(testFiles).length} test files, ${ids.size} tests`);
