/**
 * `npm run bench:stages`: where a scaffold's time goes, stage by stage, next to create-vite and the
 * commander floor. Each stage is a copy of the build that exits right after that stage (a
 * `process.exit(0)` inserted after the stage's statement in dist/), so "CPU up to the stage" is
 * measured the same way as a whole run, and a stage's cost is the difference to the one before.
 * All copies, create-vite, the floor and a bare `node -e ''` run alternating after a warm-up; medians.
 * Prints a Markdown table (bench/RESULTS.md's "Where the time goes" quotes it). A script, not a test.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commanderFloor, CREATE_VITE, measure, median, ROOT } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ARGS = ['--method', 'client-credentials', '--yes', '--no-install', '--no-git'];

/** Each stage: a name, and the statement in dist/ after which it ends (found on exactly one line). */
const STAGES: readonly (readonly [name: string, after: string | undefined])[] = [
  ['modules loaded (cli/main.ts and its imports: commander, the program)', 'await import("./main-'],
  ['argv parsed (the commander program built, one parse)', 'parseArgs(argv, VERSION);'],
  ['plan resolved (cli/create.ts loaded; the guide, target, package manager)', 'const resolved = await resolvePlan(flags, io, ui, prompt);'],
  ['files rendered (Handlebars runtime, the method\'s templates, the file map)', 'const { files, medplumSide } = await renderFiles(plan, provisioned);'],
  ['files written (the new directory, .env 0600)', 'await writeFiles(plan, files, io, ui, undoProvision);'],
  ['whole run (the summary printed)', undefined],
];

const work = mkdtempSync(join(tmpdir(), 'cma-stages-'));

/** A copy of bin/ and dist/ that exits after `after` (the whole run when undefined). */
function stageCopy(index: number, after: string | undefined): string {
  const dir = join(work, `stage-${index}`);
  for (const part of ['bin', 'dist', 'package.json']) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  if (after !== undefined) {
    const dist = join(dir, 'dist');
    const hits = readdirSync(dist)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => {
        const lines = readFileSync(join(dist, name), 'utf8').split('\n');
        return lines.flatMap((line, at) => (line.includes(after) ? [{ name, lines, at }] : []));
      });
    const [hit] = hits;
    if (hits.length !== 1 || !hit) {
      throw new Error(`stage "${after}": expected on exactly one line of dist/, found on ${hits.length}; update bench/stages.ts`);
    }
    const { at } = hit;
    hit.lines.splice(at + 1, 0, 'process.exit(0);');
    writeFileSync(join(dist, hit.name), hit.lines.join('\n'));
  }
  return join(dir, 'bin/create-medplum-auth.js');
}

let target = 0;
const fresh = () => `t-${target++}`;
const floor = commanderFloor(work);
const cases: readonly (readonly [name: string, command: () => string[]])[] = [
  ["node -e ''", () => [process.execPath, '-e', '']],
  ['commander floor', () => [process.execPath, floor, fresh(), '--method', 'x']],
  ...STAGES.map(([name, after], i) => {
    const bin = stageCopy(i, after);
    return [name, () => [process.execPath, bin, fresh(), ...ARGS]] as const;
  }),
  ['create-vite (react-ts, --no-interactive)', () => [process.execPath, CREATE_VITE, fresh(), '--template', 'react-ts', '--no-interactive']],
];

console.error(`stages: ${RUNS} runs each, alternating, in ${work}`);
const cpu = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (const [, command] of cases) {
  measure(command(), work); // warm-up: disk cache, V8's compile cache
}
for (let run = 0; run < RUNS; run++) {
  for (const [name, command] of cases) {
    cpu.get(name)?.push(measure(command(), work).cpuMs);
  }
}
const med = (name: string) => median(cpu.get(name) ?? []);
const vite = med('create-vite (react-ts, --no-interactive)');
const ms = (n: number) => `${n.toFixed(0)} ms`;
const lines = [
  `nproc ${availableParallelism()}, load average ${loadavg()[0]?.toFixed(1)}, Node ${process.version}, ${RUNS} alternating runs, median CPU (user + system); client-credentials scaffold.`,
  '',
  '| Up to | CPU | This stage | × create-vite |',
  '| --- | --- | --- | --- |',
  ...cases.map(([name]) => {
    // A stage's own cost: over the stage before it, or over bare node for the first.
    const stage = STAGES.findIndex(([stageName]) => stageName === name);
    const before = stage < 0 ? undefined : med(stage === 0 ? "node -e ''" : (STAGES[stage - 1]?.[0] ?? ''));
    const delta = before === undefined ? '' : `${med(name) >= before ? '+' : '−'}${ms(Math.abs(med(name) - before))}`;
    return `| ${name} | ${ms(med(name))} | ${delta} | ${(med(name) / vite).toFixed(2)}× |`;
  }),
];
console.log(lines.join('\n'));
rmSync(work, { recursive: true, force: true });
