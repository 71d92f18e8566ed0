/**
 * After `stryker run` (npm run mutate): the mutation score of each file of src/ from Stryker's JSON
 * report, against issue 16's targets, written to bench/MUTATION.md.
 * Score = detected (killed or timed out) / (detected + survived + not covered), as Stryker counts it.
 * The hand-written section from NOTES on (surviving mutants judged equivalent) is kept as it is.
 * With --check (CI): exits 1, after writing the file, when a file issue 16 names is below 90%, or
 * when the overall score fell below the one recorded in the committed MUTATION.md (a ratchet: the
 * 85% overall target is reported, and each recorded run may only raise the floor).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET = { overall: 85, file: 90 } as const;
/** The files whose score must reach TARGET.file. */
const STRICT = ['src/scaffold/escape.ts', 'src/guide/policy.ts', 'src/guide/keys.ts', 'src/medplum/check.ts', 'src/scaffold/write.ts'];
const OUT = `${ROOT}bench/MUTATION.md`;
const NOTES = '## Equivalent mutants';

interface Report {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

const report = JSON.parse(readFileSync(`${ROOT}reports/mutation/mutation.json`, 'utf8')) as Report;
const count = (mutants: readonly { status: string }[]) => {
  const by = (status: string) => mutants.filter((m) => m.status === status).length;
  const detected = by('Killed') + by('Timeout');
  const valid = detected + by('Survived') + by('NoCoverage');
  return { detected, survived: by('Survived'), noCoverage: by('NoCoverage'), valid };
};
const pct = (detected: number, valid: number) => (valid === 0 ? 100 : (100 * detected) / valid);

const rows = Object.entries(report.files)
  .map(([path, file]) => ({ path: path.replace(/^.*?(src\/)/, '$1'), ...count(file.mutants) }))
  .sort((a, b) => a.path.localeCompare(b.path));
const all = rows.reduce((sum, r) => ({ detected: sum.detected + r.detected, valid: sum.valid + r.valid }), { detected: 0, valid: 0 });
const overall = pct(all.detected, all.valid);
const mark = (ok: boolean) => (ok ? '✔' : '✘');

const previous = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
/** The overall score of the recorded run, if any. Every run carries the incremental file's other files over, so each report is whole. */
const recorded = Number(/\*\*Overall: ([\d.]+)%\*\*/.exec(previous)?.[1] ?? Number.NaN);

const lines = [
  '# Mutation testing',
  '',
  `\`npm run mutate\` (Stryker, vitest runner, the in-process tests in vitest.mutate.config.ts) on ${new Date().toISOString().slice(0, 10)}, nproc ${availableParallelism()}. Score = killed or timed out / (that + survived + not covered). Targets from issue 16: ${TARGET.overall}% overall, ${TARGET.file}% for ${STRICT.map((f) => `\`${f.slice(4)}\``).join(', ')}.`,
  '',
  `${rows.length} files of src/ have mutants (the others hold only types or module-level data, whose mutants are static and ignored).`,
  '',
  `**Overall: ${overall.toFixed(1)}%** (${all.detected} of ${all.valid} mutants detected) ${mark(overall >= TARGET.overall)}`,
  '',
  '| File | Score | Detected | Survived | Not covered | Target |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => {
    const score = pct(r.detected, r.valid);
    const target = STRICT.includes(r.path) ? `≥ ${TARGET.file}% ${mark(score >= TARGET.file)}` : '';
    return `| \`${r.path}\` | ${score.toFixed(1)}% | ${r.detected} | ${r.survived} | ${r.noCoverage} | ${target} |`;
  }),
  '',
];

const notes = previous.includes(NOTES) ? previous.slice(previous.indexOf(NOTES)) : '';
writeFileSync(OUT, lines.join('\n') + (notes && `\n${notes}`));
console.log(lines.join('\n'));

if (process.argv.includes('--check')) {
  const missed = [
    // Compared as written in MUTATION.md, to one decimal.
    ...(Number(overall.toFixed(1)) < recorded ? [`overall ${overall.toFixed(1)}% < ${recorded}%, the recorded run's`] : []),
    ...rows.filter((r) => STRICT.includes(r.path) && pct(r.detected, r.valid) < TARGET.file).map((r) => `${r.path} ${pct(r.detected, r.valid).toFixed(1)}% < ${TARGET.file}%`),
  ];
  if (missed.length > 0) {
    console.error(`Mutation score below target: ${missed.join('; ')}. Add tests that kill the survivors (reports/mutation/mutation.json lists them).`);
    process.exitCode = 1;
  }
}
