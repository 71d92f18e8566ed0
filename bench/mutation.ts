/**
 * After `stryker run` (npm run mutate): the mutation score of each file of src/ from Stryker's JSON
 * report, against issue 16's targets, written to bench/MUTATION.md.
 * Score = detected (killed or timed out) / (detected + survived + not covered), as Stryker counts it.
 * The hand-written section from NOTES on (surviving mutants judged equivalent) is kept as it is.
 * With --check (CI): exits 1, after writing the file, when a file issue 16 names is below 90%, or
 * when the overall score fell below the one recorded in the committed MUTATION.md (a ratchet: the
 * 85% overall target is reported, and each recorded run may only raise the floor).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const mutable = readdirSync(`${ROOT}src`, { recursive: true }).filter((f) => String(f).endsWith('.ts')).length - 4; // less index, precompile, prerender-help, prompts (stryker.config.json)
const mark = (ok: boolean) => (ok ? '✔' : '✘');

const previous = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
/** The overall score of the recorded run (a whole one: not a `--mutate` subset), if any. */
const recorded = previous.includes('(a `--mutate` subset') ? undefined : Number(/\*\*Overall: ([\d.]+)%\*\*/.exec(previous)?.[1] ?? Number.NaN);

/** After a `--mutate` subset: the previous rows of files this run did not mutate (and that still exist). */
const earlier =
  rows.length < mutable
    ? previous
        .split('\n')
        .filter((line) => /^\| `src\/[^`]+` \| [\d.]+% \|/.test(line))
        .filter((line) => {
          const path = /`(src\/[^`]+)`/.exec(line)?.[1] as string;
          return !rows.some((r) => r.path === path) && existsSync(`${ROOT}${path}`);
        })
        .filter((line, i, all) => all.indexOf(line) === i)
    : [];

const lines = [
  '# Mutation testing',
  '',
  `\`npm run mutate\` (Stryker, vitest runner, the in-process tests in vitest.mutate.config.ts) on ${new Date().toISOString().slice(0, 10)}, nproc ${availableParallelism()}. Score = killed or timed out / (that + survived + not covered). Targets from issue 16: ${TARGET.overall}% overall, ${TARGET.file}% for ${STRICT.map((f) => `\`${f.slice(4)}\``).join(', ')}.`,
  '',
  `This run mutated ${rows.length} of the ${mutable} files of src/ that stryker.config.json names${rows.length < mutable ? ' (a `--mutate` subset: the overall figure is theirs alone)' : ''}.`,
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
  ...(earlier.length > 0
    ? ['Files a subset run did not mutate keep the rows of the run that last did (their code may have changed since):', '', '| File | Score | Detected | Survived | Not covered | Target |', '| --- | --- | --- | --- | --- | --- |', ...earlier, '']
    : []),
];

const notes = previous.includes(NOTES) ? previous.slice(previous.indexOf(NOTES)) : '';
writeFileSync(OUT, lines.join('\n') + (notes && `\n${notes}`));
console.log(lines.join('\n'));

if (process.argv.includes('--check')) {
  const missed = [
    // Compared as written in MUTATION.md, to one decimal.
    ...(recorded !== undefined && Number(overall.toFixed(1)) < recorded ? [`overall ${overall.toFixed(1)}% < ${recorded}%, the recorded run's`] : []),
    ...rows.filter((r) => STRICT.includes(r.path) && pct(r.detected, r.valid) < TARGET.file).map((r) => `${r.path} ${pct(r.detected, r.valid).toFixed(1)}% < ${TARGET.file}%`),
  ];
  if (missed.length > 0) {
    console.error(`Mutation score below target: ${missed.join('; ')}. Add tests that kill the survivors (reports/mutation/mutation.json lists them).`);
    process.exitCode = 1;
  }
}
