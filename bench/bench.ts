/**
 * `npm run bench`: create-medplum-auth side by side with create-vite (the field's reference) and a
 * bare `node -e ''`, in one process tree, alternating A B A B after a warm-up. Writes
 * bench/RESULTS.md, keeping its hand-written "Where the time goes" section. A script, not a test:
 * the figures are goals, never CI assertions. How a run is timed: bench/measure.ts. CPU time is the
 * steadier figure on a shared machine, where the wall time also holds the waits for a core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { linesTable, measureStarter, STARTERS } from './lines.ts';
import { BIN, commanderFloor, CREATE_VITE, env, measure as measureIn, median, ROOT, type Sample } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const work = mkdtempSync(join(tmpdir(), 'cma-bench-'));
/** One run, in the work folder: create-vite takes its target relative to it. */
const measure = (args: readonly string[]): Sample => measureIn(args, work);

interface Case {
  readonly name: string;
  /** A fresh command line per run (scaffolds need an empty target). */
  readonly command: (run: number) => readonly string[];
}

let target = 0;
/** A new target name, relative to the work folder (where every command runs). */
const fresh = (prefix: string) => `${prefix}-${target++}`;
const FLOOR = commanderFloor(work);

const CASES: readonly Case[] = [
  {
    name: 'create-medplum-auth (client-credentials, --yes --no-install --no-git)',
    command: () => [process.execPath, BIN, fresh('cma'), '--method', 'client-credentials', '--yes', '--no-install', '--no-git'],
  },
  {
    name: 'create-vite (react-ts, --no-interactive)',
    command: () => [process.execPath, CREATE_VITE, fresh('vite'), '--template', 'react-ts', '--no-interactive'],
  },
  { name: "node -e ''", command: () => [process.execPath, '-e', ''] },
  { name: 'create-medplum-auth --help', command: () => [process.execPath, BIN, '--help'] },
  { name: 'commander floor (node, commander bundled, compile cache, one parse; no scaffold)', command: () => [process.execPath, FLOOR, fresh('floor'), '--method', 'x'] },
];

function timings(): Map<string, Sample[]> {
  const samples = new Map<string, Sample[]>(CASES.map((c) => [c.name, []]));
  for (const c of CASES) {
    measure(c.command(-1)); // warm-up: disk cache, V8 code cache
  }
  for (let run = 0; run < RUNS; run++) {
    for (const c of CASES) {
      samples.get(c.name)?.push(measure(c.command(run)));
    }
  }
  return samples;
}

/** Packages and bytes under node_modules (scoped packages counted one by one). */
function footprint(dir: string): { packages: number; bytes: number } {
  const modules = join(dir, 'node_modules');
  let packages = 0;
  const count = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const path = join(d, name);
      if (name.startsWith('@')) {
        count(path);
      } else if (existsSync(join(path, 'package.json'))) {
        packages++;
        if (existsSync(join(path, 'node_modules'))) count(join(path, 'node_modules'));
      }
    }
  };
  if (existsSync(modules)) count(modules);
  const du = execFileSync('du', ['-sb', modules], { encoding: 'utf8' });
  return { packages, bytes: Number(du.split('\t')[0]) };
}

function npmInstall(dir: string): { ms: number; packages: number; bytes: number } {
  const start = process.hrtime.bigint();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, ...footprint(dir) };
}

/** Each method once (STARTERS lists the web ones once per UI). */
const METHODS = [...new Set(STARTERS.map((starter) => starter.method))];

const RESULTS = join(ROOT, 'bench/RESULTS.md');
const FINDINGS = '## Where the time goes';

/** The hand-written section of RESULTS.md (the profile's findings), kept as it is. */
function findings(): string[] {
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const start = old.indexOf(FINDINGS);
  return start < 0 ? [] : [old.slice(start).trimEnd(), ''];
}

function main(): void {
  console.error(`bench: ${RUNS} runs each, alternating, in ${work}`);
  const samples = timings();
  const stat = (name: string) => {
    const list = samples.get(name) ?? [];
    return { ms: median(list.map((s) => s.ms)), cpuMs: median(list.map((s) => s.cpuMs)), rssKb: median(list.map((s) => s.rssKb)) };
  };
  const [ours, vite, bare, help, floor] = CASES.map((c) => stat(c.name)) as [Sample, Sample, Sample, Sample, Sample];

  console.error('bench: packing and installing the tarball');
  const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: ROOT, env, encoding: 'utf8' }))[0] as {
    size: number;
    unpackedSize: number;
    entryCount: number;
  };
  const packDir = join(work, 'pack');
  execFileSync('mkdir', ['-p', packDir]);
  const tgz = execFileSync('npm', ['pack', '--pack-destination', packDir, '--loglevel=error'], { cwd: ROOT, env, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  const npxDir = join(work, 'npx');
  execFileSync('mkdir', ['-p', npxDir]);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(packDir, tgz)], { cwd: npxDir, env, stdio: 'ignore' });
  const npx = footprint(npxDir);
  // The packed bin must work: scaffold once from the installed tarball.
  const installedBin = join(npxDir, 'node_modules/create-medplum-auth/bin/create-medplum-auth.js');
  measure([process.execPath, installedBin, join(work, 'from-tarball'), '--method', 'basic-auth', '--yes', '--no-install', '--no-git']);

  console.error('bench: installing each starter');
  const starters = METHODS.map((method) => {
    const dir = join(work, `starter-${method}`);
    const extra = method === 'external-idp' ? ['--idp', 'okta', '--idp-domain', 'example.okta.com'] : [];
    measure([process.execPath, BIN, dir, '--method', method, '--yes', '--no-install', '--no-git', ...extra]);
    return { method, ...npmInstall(dir) };
  });
  const viteDir = join(work, 'vite-react-ts');
  measure([process.execPath, CREATE_VITE, 'vite-react-ts', '--template', 'react-ts', '--no-interactive']);
  const viteInstall = npmInstall(viteDir);

  console.error('bench: counting each starter\'s lines');
  const sizes = linesTable(STARTERS.map(measureStarter));

  const node = process.version;
  const cpus = availableParallelism();
  const r = (a: number, b: number) => (a / b).toFixed(2);
  const kb = (n: number) => `${Math.round(n / 1024)} kB`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const mem = (k: number) => (Number.isNaN(k) ? 'n/a' : `${(k / 1024).toFixed(1)} MB`);
  const lines = [
    '# Benchmark results',
    '',
    `Measured by \`npm run bench\` (bench/bench.ts) on ${new Date().toISOString().slice(0, 10)}: nproc ${cpus}, load average ${loadavg()[0]?.toFixed(1)} at the end, Node ${node}, ${RUNS} runs each after a warm-up, alternating. Medians. Wall and CPU (user + system): bash \`time\`; peak RSS: GNU time \`%M\`. On a shared machine, read the ratios, not the absolute times; CPU is the steadier of the two.`,
    '',
    '## Start-up and scaffold',
    '',
    '| Command | Median wall | Median CPU | Median peak RSS |',
    '| --- | --- | --- | --- |',
    ...CASES.map((c) => {
      const s = stat(c.name);
      return `| ${c.name} | ${ms(s.ms)} | ${ms(s.cpuMs)} | ${mem(s.rssKb)} |`;
    }),
    '',
    '| Ratio (same run) | Value | Target |',
    '| --- | --- | --- |',
    `| scaffold wall: ours / create-vite | ${r(ours.ms, vite.ms)}× | ≤ 1.0× |`,
    `| scaffold CPU: ours / create-vite | ${r(ours.cpuMs, vite.cpuMs)}× | (wall's steadier twin) |`,
    `| scaffold peak RSS: ours / create-vite | ${r(ours.rssKb, vite.rssKb)}× | ≤ 1.1× |`,
    `| \`--help\` wall / bare node | ${r(help.ms, bare.ms)}× | ≤ 1.2× |`,
    `| \`--help\` CPU / bare node | ${r(help.cpuMs, bare.cpuMs)}× | (wall's steadier twin) |`,
    `| create-vite wall / bare node | ${r(vite.ms, bare.ms)}× | (reference) |`,
    `| commander floor wall / create-vite | ${r(floor.ms, vite.ms)}× | (the best any commander CLI can do) |`,
    `| commander floor CPU / create-vite | ${r(floor.cpuMs, vite.cpuMs)}× | (wall's steadier twin) |`,
    '',
    '## Package',
    '',
    `- Tarball (\`npm pack --dry-run --json\`): ${kb(pack.size)} packed, ${kb(pack.unpackedSize)} unpacked, ${pack.entryCount} files.`,
    `- \`npx create-medplum-auth\` footprint (the tarball installed into an empty folder): ${npx.packages} packages, ${kb(npx.bytes)} in node_modules. Target: 2 packages (itself and @medplum/core).`,
    '',
    '## Starters: `npm install`',
    '',
    '| Starter | Install wall | Packages in node_modules | node_modules size |',
    '| --- | --- | --- | --- |',
    ...starters.map((s) => `| ${s.method} | ${ms(s.ms)} | ${s.packages} | ${kb(s.bytes)} |`),
    `| create-vite react-ts (peer of the web starters) | ${ms(viteInstall.ms)} | ${viteInstall.packages} | ${kb(viteInstall.bytes)} |`,
    '',
    'Installs use the local npm cache (a warm cache, as on a developer machine or a cached CI runner).',
    '',
    '## Starters: lines of code',
    '',
    "App code is the generated project's `src/` without tests and test helpers (`*.test.*`, `src/testing/`); a fake is a file under `src/testing/` or named `fake*`. Budgets from issue 9; test/starters/budgets.test.ts enforces them.",
    '',
    ...sizes,
    '',
    ...findings(),
  ];
  writeFileSync(RESULTS, lines.join('\n'));
  console.log(lines.join('\n'));
  rmSync(work, { recursive: true, force: true });
}

main();
