/**
 * Templates -> an in-memory file map. Nothing here touches the target directory.
 *
 * A method's starter is its template layers (methods.ts) overlaid in order, after
 * templates/_shared. `name.hbs` is rendered and written as `name`; every other file is copied
 * byte for byte. Handlebars runs strict (a missing variable is an error) and without HTML
 * escaping; user values are encoded by the context helpers below instead.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Handlebars from 'handlebars';
// The runtime alone (no parser, no compiler) renders the precompiled templates; the full compiler is
// loaded only for a template without a matching precompiled spec (running from source, or edited).
import Runtime from 'handlebars/runtime';
import { envValue, jsString, jsonValue, markdownCode, markdownTableCode, markdownText, type EnvDialect } from './escape.js';
import { forPlatform, hasUi, layersFor, METHODS, type EnvInput, type EnvVar, type Method, type MethodId, type Step, type Text, type WebUi, VITE_ENV } from '../guide/methods.js';
import type { AccessPolicy } from '../guide/policy.js';
import type { PackageManagerCommands } from './pm.js';
import { VERSION } from '../cli/version.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { EXPO_VERSIONS, VERSIONS } from './versions.js';

export const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates/');

/** npm drops dotfiles such as .gitignore from published packages, so templates spell them with `_`. */
const RENAMES: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _env: '.env',
  '_env.example': '.env.example',
};

export interface GeneratedFile {
  readonly path: string;
  readonly content: Buffer;
  /** File mode; 0o600 for files that may hold a secret. */
  readonly mode: number;
}

/** Relative path -> file, in a stable order. */
export type FileMap = ReadonlyMap<string, GeneratedFile>;

export interface RenderInput extends EnvInput {
  readonly method: MethodId;
  readonly projectName: string;
  readonly reasons: readonly string[];
  /** The web starter's UI (--ui); undefined for methods without one. */
  readonly ui?: WebUi;
  readonly pm: PackageManagerCommands;
  /** Written as access-policy.json (the `_policy` layer) for methods that have one. */
  readonly accessPolicy: AccessPolicy | null;
  /** What --provision made on the server, a line each (empty without it). */
  readonly created: readonly string[];
  /** Files made by the CLI rather than from templates (e.g. a generated key pair). */
  readonly extraFiles?: readonly GeneratedFile[];
}

const SECRET_FILES = new Set(['.env']);

/**
 * The checklist as text, with the user's values in place. After `--provision`, only what is left
 * to do: the steps it did are gone, and a step it did in part says what remains.
 */
export function checklistFor(input: EnvInput & { readonly method: MethodId }, provisioned = false): string[] {
  const text = (t: Text) => (typeof t === 'string' ? t : t(input));
  return methodOf(input).checklist
    .map((step: Step) => (typeof step === 'object' ? text(provisioned ? step.afterProvision : step.text) : text(step)))
    .filter((step) => step !== '');
}

/** The method as the input builds it: web, or its mobile starter. */
const methodOf = (input: EnvInput & { readonly method: MethodId }): Method => forPlatform(METHODS[input.method], input.platform);

export async function renderProject(input: RenderInput, templatesDir = TEMPLATES_DIR): Promise<FileMap> {
  const method = methodOf(input);
  const layers = ['_shared', ...(input.accessPolicy ? ['_policy'] : []), ...layersFor(method, input.ui)];
  const hbs = createHandlebars();
  const precompiled = await loadPrecompiled(['_partials', ...layers]);
  await registerPartials(hbs, join(templatesDir, '_partials'), precompiled);
  const context = templateContext(input);

  const files = new Map<string, GeneratedFile>();
  const rendered = await Promise.all(
    [...(await overlay(templatesDir, layers))].map(async ([path, entry]) => {
      const content = await renderEntry(hbs, entry, context, precompiled);
      return { path, content, mode: SECRET_FILES.has(path) ? 0o600 : 0o644 };
    }),
  );
  for (const file of rendered) {
    files.set(file.path, file);
  }
  for (const file of input.extraFiles ?? []) {
    files.set(file.path, file);
  }
  return new Map([...files.entries()].sort(([a], [b]) => byPath(a, b)));
}

/**
 * Case-insensitive, as a file browser lists them (README.md among the r's). Not localeCompare: its
 * collator takes ~5 ms to start, a tenth of a scaffold, and its order follows the user's locale.
 */
function byPath(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files of `layers` that `keep` selects, overlaid and rendered as for a new project but with
 * `context` only: how `add` reuses a starter's own files in an existing project. Path -> text.
 */
export async function renderLayerFiles(
  layers: readonly string[],
  keep: (path: string) => boolean,
  context: object,
  templatesDir = TEMPLATES_DIR,
): Promise<Map<string, string>> {
  const hbs = createHandlebars();
  const precompiled = await loadPrecompiled(layers);
  const kept = [...(await overlay(templatesDir, layers))].filter(([path]) => keep(path));
  const rendered = await Promise.all(kept.map(async ([path, entry]) => [path, (await renderEntry(hbs, entry, context, precompiled)).toString('utf8')] as const));
  return new Map(rendered);
}

interface LayerFile {
  readonly layer: string;
  readonly source: string;
  readonly rel: string;
}

/**
 * Every layer read at once; a later layer's file replaces an earlier one, so only the files that end
 * up in the project are rendered. Output path -> its source.
 */
async function overlay(templatesDir: string, layers: readonly string[]): Promise<Map<string, LayerFile>> {
  const found = await Promise.all(layers.map((layer) => layerFiles(templatesDir, layer)));
  const winners = new Map<string, LayerFile>();
  for (const entry of found.flat()) {
    winners.set(outputPath(entry.rel.replace(/\.hbs$/, '')), entry);
  }
  return winners;
}

/** A `.hbs` file rendered, any other copied byte for byte. */
async function renderEntry(hbs: typeof Handlebars, { layer, source, rel }: LayerFile, context: object, precompiled: Precompiled): Promise<Buffer> {
  const raw = await readFile(source);
  return rel.endsWith('.hbs') ? Buffer.from(await renderTemplate(hbs, raw.toString('utf8'), context, `${layer}/${rel}`, precompiled)) : raw;
}

/** The variables every template may use. With `strict`, each must be defined, even if empty. */
export function templateContext(input: RenderInput) {
  const method = methodOf(input);
  return {
    projectName: input.projectName,
    /** The CLI's own version, for the starters' `check-auth` script. */
    cliVersion: VERSION,
    method: { id: method.id, title: method.title, summary: method.summary, docsUrl: method.docsUrl, app: method.app },
    reasons: input.reasons,
    checklist: checklistFor(input, input.created.length > 0),
    created: input.created,
    baseUrl: input.baseUrl,
    clientId: input.clientId,
    projectId: input.projectId,
    googleClientId: input.googleClientId,
    idp: input.idp,
    jwt: input.jwt,
    accessPolicy: input.accessPolicy,
    policyAttachTo: method.policy?.attachTo ?? '',
    ipAccessRules: input.accessPolicy?.ipAccessRule ?? [],
    pm: input.pm,
    ui: input.ui ?? '',
    webEnv: VITE_ENV,
    appScheme: input.appScheme ?? '',
    // Vite and Expo both expand $VAR in .env; Node does not.
    envDialect: hasUi(method) || input.platform === 'mobile' ? 'vite' : 'node',
    env: method.env.map((v) => envEntry(v, input)),
  };
}

function envEntry(v: EnvVar, input: EnvInput) {
  return {
    name: v.name,
    where: v.where,
    secret: v.secret ?? false,
    value: v.value(input),
    example: v.example,
    envFile: v.envFile ?? 'value',
  };
}

function outputPath(rel: string): string {
  const parts = rel.split('/');
  const last = parts.pop() as string;
  return [...parts, RENAMES[last] ?? last].join('/');
}

export function createHandlebars(): typeof Handlebars {
  const hbs = (Runtime as unknown as typeof Handlebars).create();
  const str = (value: unknown, helper: string): string => {
    if (typeof value !== 'string') {
      throw new TypeError(`{{${helper}}} expects a string, got ${typeof value}`);
    }
    return value;
  };
  hbs.registerHelper({
    js: (value: unknown) => jsString(str(value, 'js')),
    json: (value: unknown) => jsonValue(value),
    jsonBlock: (value: unknown) => JSON.stringify(value, null, 2),
    env: (value: unknown, dialect: unknown) => envValue(str(value, 'env'), str(dialect, 'env') as EnvDialect),
    md: (value: unknown) => markdownText(str(value, 'md')),
    code: (value: unknown) => markdownCode(str(value, 'code')),
    cellCode: (value: unknown) => markdownTableCode(str(value, 'cellCode')),
    version: (name: unknown) => {
      const pkg = str(name, 'version');
      if (!Object.hasOwn(VERSIONS, pkg)) {
        throw new Error(`{{version}}: "${pkg}" is not in src/scaffold/versions.ts`);
      }
      return jsonValue(VERSIONS[pkg as keyof typeof VERSIONS]);
    },
    expoVersion: (name: unknown) => {
      const pkg = str(name, 'expoVersion');
      if (!Object.hasOwn(EXPO_VERSIONS, pkg)) {
        throw new Error(`{{expoVersion}}: "${pkg}" is not in EXPO_VERSIONS (src/scaffold/versions.ts)`);
      }
      return jsonValue(EXPO_VERSIONS[pkg as keyof typeof EXPO_VERSIONS]);
    },
    eq: (a: unknown, b: unknown) => a === b,
  });
  return hbs;
}

/** Template specs precompiled by the build (src/scaffold/precompile.ts), keyed by the template's source. */
type Precompiled = ReadonlyMap<string, TemplateSpecification>;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/** The precompiled templates of the top-level folders that `paths` (layers, files) lie in. */
async function loadPrecompiled(paths: readonly string[]): Promise<Precompiled> {
  const folders = new Set(paths.map((path) => path.split('/')[0]));
  const modules = await Promise.all(
    [...folders].map(async (folder) => {
      try {
        // Beside the bundle in dist/; absent when running from source, where everything compiles.
        return (await import(new URL(`./templates/${folder}.js`, import.meta.url).href)).default as [string, TemplateSpecification][];
      } catch {
        return [];
      }
    }),
  );
  return new Map(modules.flat());
}

/**
 * The precompiled template for exactly this source, or one compiled now with the same options
 * (strict, no HTML escaping). Either way it is bound to `hbs`, with its helpers and partials.
 */
async function templateFor(hbs: typeof Handlebars, source: string, precompiled: Precompiled): Promise<HandlebarsTemplateDelegate> {
  const spec = precompiled.get(source);
  if (spec) {
    return hbs.template(spec);
  }
  const { default: compiler } = await import('handlebars');
  const code = compiler.precompile(source, { strict: true, noEscape: true });
  return hbs.template(new Function(`return ${code}`)() as TemplateSpecification);
}

async function renderTemplate(
  hbs: typeof Handlebars,
  source: string,
  context: object,
  name: string,
  precompiled: Precompiled,
): Promise<string> {
  try {
    return (await templateFor(hbs, source, precompiled))(context);
  } catch (err) {
    throw new Error(`Template ${name}: ${(err as Error).message}`, { cause: err });
  }
}

async function registerPartials(hbs: typeof Handlebars, dir: string, precompiled: Precompiled): Promise<void> {
  const files = await listFiles(dir);
  const sources = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  const templates = await Promise.all(sources.map((source) => templateFor(hbs, source, precompiled)));
  files.forEach((file, i) => hbs.registerPartial(relative(dir, file).replace(/\.hbs$/, ''), templates[i] as HandlebarsTemplateDelegate));
}

/**
 * A layer's files with their paths in the project: a directory's files, or one file of a directory, at its
 * path inside that layer (`external-idp/src/providerName.ts` is the project's `src/providerName.ts`).
 */
async function layerFiles(templatesDir: string, layer: string): Promise<LayerFile[]> {
  const path = join(templatesDir, layer);
  const isFile = await stat(path).then((s) => s.isFile(), () => false);
  const root = isFile ? join(templatesDir, layer.split('/')[0] as string) : path;
  return (isFile ? [path] : await listFiles(path)).map((source) => ({ layer, source, rel: relative(root, source).split(sep).join('/') }));
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw err;
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** One template under templates/ (the `add` wiring), with the same helpers and the partials in `partialsDir`. */
export async function renderTemplateFile(rel: string, context: object, partialsDir: string, templatesDir = TEMPLATES_DIR): Promise<string> {
  const hbs = createHandlebars();
  const precompiled = await loadPrecompiled([rel, partialsDir]);
  await registerPartials(hbs, join(templatesDir, partialsDir), precompiled);
  return renderTemplate(hbs, await readFile(join(templatesDir, rel), 'utf8'), context, rel, precompiled);
}
