/**
 * Everything `add` would change in a project, computed in memory before anything is written: new
 * files, the edit to the entry point, package.json, the env files and .gitignore. Nothing here
 * writes; run.ts shows the plan (--dry-run) or writes it all at once.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { CliError } from '../errors.js';
import { envValue } from '../scaffold/escape.js';
import { PRIVATE_KEY_FILE } from '../guide/keys.js';
import type { EnvInput, Method, WebUi } from '../guide/methods.js';
import type { AccessPolicy } from '../guide/policy.js';
import type { GeneratedFile } from '../scaffold/render.js';
import { renderTemplateFile } from '../scaffold/render.js';
import { VERSIONS, type PackageName } from '../scaffold/versions.js';
import type { Project } from './detect.js';
import { appendEnv, appendExample, ensureIgnored, maskEnv, type EnvEntry } from './env-files.js';
import { mergeDependencies, type Incompatible } from './package-json.js';
import { wireProject } from './wiring.js';

export interface Change {
  readonly path: string;
  readonly action: 'create' | 'update' | 'replace';
  readonly before: string | undefined;
  readonly after: string;
  readonly mode: number;
  /** What a diff may show: private values hidden. */
  readonly shown: { readonly before: string | undefined; readonly after: string };
}

export interface AddPlan {
  readonly changes: readonly Change[];
  /** Files the wiring would create that exist with other content: the run stops unless --force. */
  readonly clashes: readonly string[];
  readonly incompatible: readonly Incompatible[];
  /** Env keys that were already set, left as they are. */
  readonly kept: readonly string[];
  readonly manual: readonly string[];
  readonly usage: readonly string[];
}

export interface AddInput {
  readonly project: Project;
  readonly method: Method;
  /** The web kinds' UI (--ui). */
  readonly ui: WebUi | undefined;
  readonly values: EnvInput;
  readonly accessPolicy: AccessPolicy | null;
  /** Files made by the CLI (a key pair) and the record. */
  readonly extraFiles: readonly GeneratedFile[];
  readonly force: boolean;
}

const PRIVATE = 0o600;

export async function planAdd({ project, method, ui, values, accessPolicy, extraFiles, force }: AddInput): Promise<AddPlan> {
  const read = (path: string) => readText(project.dir, path);
  const header = `Added by create-medplum-auth (${method.id})`;
  const changes: Change[] = [];
  const clashes: string[] = [];
  /** An edit of an existing file keeps that file's mode; a new one gets `mode`. */
  const change = async (path: string, before: string | undefined, after: string, mode = 0o644, shown?: Change['shown']) => {
    const action = before === undefined ? 'create' : 'update';
    const kept = before === undefined ? mode : await modeOf(project.dir, path);
    changes.push({ path, action, before, after, mode: kept, shown: shown ?? { before, after } });
  };

  const wiring = await wireProject(project, method, ui, read);
  const newFiles = new Map(wiring.files);
  if (accessPolicy) {
    newFiles.set('access-policy.json', await renderTemplateFile('_policy/access-policy.json.hbs', { accessPolicy }, 'add/_partials'));
  }
  const modes = new Map(extraFiles.map((f) => [f.path, f.mode]));
  for (const file of extraFiles) {
    newFiles.set(file.path, file.content.toString('utf8'));
  }
  for (const [path, content] of newFiles) {
    const existing = await read(path);
    if (existing === content) {
      continue;
    }
    if (existing !== undefined) {
      clashes.push(path);
      if (!force) {
        continue;
      }
    }
    const mode = modes.get(path) ?? 0o644;
    const hidden = mode === PRIVATE ? { before: existing && '(private, not shown)\n', after: '(private, not shown)\n' } : undefined;
    changes.push({ path, action: existing === undefined ? 'create' : 'replace', before: existing, after: content, mode, shown: hidden ?? { before: existing, after: content } });
  }
  for (const [path, content] of wiring.edits) {
    await change(path, await read(path), content);
  }

  const pkgBefore = (await read('package.json')) as string;
  const versions = (names: readonly PackageName[]) => Object.fromEntries(names.map((name) => [name, VERSIONS[name]]));
  const { dependencies, devDependencies } = project.kind.packages(ui);
  const deps = mergeDependencies(pkgBefore, versions(dependencies), force);
  const devDeps = mergeDependencies(deps.text ?? pkgBefore, versions(devDependencies), force, 'devDependencies');
  const pkgAfter = devDeps.text ?? deps.text;
  if (pkgAfter !== undefined) {
    await change('package.json', pkgBefore, pkgAfter);
  }

  const dialect = project.kind.id === 'node' ? 'node' : 'vite';
  const entries: EnvEntry[] = method.env.flatMap((v) => {
    const name = project.kind.envName(v);
    return name === undefined
      ? []
      : [{ name, where: v.where, value: v.value(values), example: v.example, secret: v.secret ?? false, envFile: v.envFile ?? 'value' }];
  });
  const envFile = project.kind.envFile;
  const envBefore = await read(envFile);
  const env = appendEnv(envBefore, entries, header, dialect);
  if (env.text !== undefined) {
    const shownLines = new Set(entries.filter((e) => !e.secret).map((e) => `${e.name}=${envValue(e.value, dialect)}`));
    const shown = { before: envBefore && maskEnv(envBefore, new Set()), after: maskEnv(env.text, shownLines) };
    await change(envFile, envBefore, env.text, PRIVATE, shown);
  }
  const exampleBefore = await read('.env.example');
  const example = appendExample(exampleBefore, entries, header, dialect);
  if (example !== undefined) {
    await change('.env.example', exampleBefore, example);
  }
  const gitignoreBefore = await read('.gitignore');
  const keyPair = (method.needs ?? []).includes('keyPair');
  const gitignore = ensureIgnored(
    gitignoreBefore,
    [{ probe: envFile, line: envFile }, ...(keyPair ? [{ probe: PRIVATE_KEY_FILE, line: '*.pem' }] : [])],
    `${header}: private files`,
  );
  if (gitignore !== undefined) {
    await change('.gitignore', gitignoreBefore, gitignore);
  }

  for (const { path } of changes) {
    await checkInside(project.dir, path);
  }
  return { changes, clashes, incompatible: [...deps.incompatible, ...devDeps.incompatible], kept: env.kept, manual: wiring.manual, usage: wiring.usage };
}

async function readText(dir: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return undefined;
    }
    if (code === 'EISDIR') {
      throw new CliError(`${join(dir, path)} is a directory where add writes a file. Move it away, then run add again.`);
    }
    throw err;
  }
}

async function modeOf(dir: string, path: string): Promise<number> {
  return (await stat(join(dir, path))).mode & 0o777;
}

/** Nothing outside the project is touched: no path leaves it, through `..` or a symbolic link. */
async function checkInside(dir: string, path: string): Promise<void> {
  const root = await realpath(dir);
  let existing = normalize(join(dir, path));
  if (isAbsolute(path) || relative(dir, existing).startsWith('..')) {
    throw new CliError(`Refusing to write ${path}: it is outside ${dir}.`);
  }
  for (;;) {
    try {
      existing = await realpath(existing);
      break;
    } catch {
      existing = dirname(existing);
    }
  }
  if (existing !== root && !existing.startsWith(root + sep)) {
    throw new CliError(`Refusing to write ${path}: it leads outside the project (a symbolic link?).`);
  }
}
