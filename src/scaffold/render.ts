/**
 * Templates -> an in-memory file map. Nothing here touches the target directory.
 *
 * A method's starter is its template layers (methods.ts) overlaid in order, after
 * templates/_shared. `name.hbs` is rendered and written as `name`; every other file is copied
 * byte for byte. Handlebars runs strict (a missing variable is an error) and without HTML
 * escaping; user values are encoded by the context helpers below instead.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type Handlebars from 'handlebars';
// The runtime alone (no parser, no compiler) renders the precompiled templates; the full compiler is
// loaded only for a template without a precompiled spec (running from source, or another templates directory).
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
  const templates = new Templates(templatesDir);
  const hbs = createHandlebars();
  await registerPartials(hbs, templates, '_partials');
  const context = templateContext(input);

  const files = new Map<string, GeneratedFile>();
  const rendered = await Promise.all(
    [...(await overlay(templates, layers))].map(async ([path, entry]) => {
      const content = await renderEntry(hbs, entry, context);
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
  const kept = [...(await overlay(new Templates(templatesDir), layers))].filter(([path]) => keep(path));
  const rendered = await Promise.all(kept.map(async ([path, entry]) => [path, (await renderEntry(hbs, entry, context)).toString('utf8')] as const));
  return new Map(rendered);
}

/** A file of a layer: a file of its folder under templates/, at its path inside that folder. */
interface LayerFile {
  readonly layer: string;
  readonly file: TemplateFile;
}

/**
 * Every layer at once; a later layer's file replaces an earlier one, so only the files that end up
 * in the project are rendered. A layer is a folder of templates/ (all its files), or one file in one
 * (`external-idp/src/providerName.ts` is the project's `src/providerName.ts`). Output path -> file.
 */
async function overlay(templates: Templates, layers: readonly string[]): Promise<Map<string, LayerFile>> {
  const found = await Promise.all(
    layers.map(async (layer) => {
      const [folder, only] = splitFolder(layer);
      return (await templates.folder(folder)).filter((file) => only === '' || file.rel === only).map((file) => ({ layer, file }));
    }),
  );
  const winners = new Map<string, LayerFile>();
  for (const entry of found.flat()) {
    winners.set(outputPath(entry.file.rel.replace(/\.hbs$/, '')), entry);
  }
  return winners;
}

/** `folder/rest/of/path` -> [folder, rest/of/path]; a bare folder -> [folder, '']. */
function splitFolder(path: string): [string, string] {
  const [folder, ...rest] = path.split('/');
  return [folder as string, rest.join('/')];
}

/** A `.hbs` file rendered, any other copied byte for byte. */
async function renderEntry(hbs: typeof Handlebars, { layer, file }: LayerFile, context: object): Promise<Buffer> {
  return file.rel.endsWith('.hbs') ? Buffer.from(await renderTemplate(hbs, file, context, `${layer}/${file.rel}`)) : file.content;
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

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/** A file of a template folder: its path inside the folder, its bytes, and its precompiled spec (a `.hbs` file, in a build). */
export interface TemplateFile {
  readonly rel: string;
  readonly content: Buffer;
  readonly spec?: TemplateSpecification;
}

/** What the build writes for a folder (src/scaffold/precompile.ts): [path inside the folder, text, spec or null]. */
export type BuiltFolder = readonly (readonly [rel: string, text: string, spec: TemplateSpecification | null])[];

/**
 * The top-level folders of a templates directory, each read once. The package's own templates come
 * from the build (dist/templates/<folder>.js): no directory listing, no file read, and every `.hbs`
 * file precompiled. They are read from disk when running from source (no build beside this module)
 * and for any other directory (tests' edited copies), where each template is compiled when rendered.
 */
class Templates {
  readonly #folders = new Map<string, Promise<TemplateFile[]>>();
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  folder(name: string): Promise<TemplateFile[]> {
    let files = this.#folders.get(name);
    if (files === undefined) {
      files = this.#load(name);
      this.#folders.set(name, files);
    }
    return files;
  }

  /** One file, by its path under the templates directory. */
  async file(path: string): Promise<TemplateFile> {
    const [folder, rel] = splitFolder(path);
    const file = (await this.folder(folder)).find((f) => f.rel === rel);
    if (file === undefined) {
      throw new Error(`No template ${path} in ${this.dir}`);
    }
    return file;
  }

  async #load(name: string): Promise<TemplateFile[]> {
    if (this.dir === TEMPLATES_DIR) {
      const built = await import(new URL(`./templates/${name}.js`, import.meta.url).href).then(
        (module: { default: BuiltFolder }) => module.default,
        () => undefined, // not built: running from source
      );
      if (built) {
        return built.map(([rel, text, spec]) => ({ rel, content: Buffer.from(text), ...(spec && { spec }) }));
      }
    }
    const root = join(this.dir, name);
    return Promise.all((await listFiles(root)).map(async (path) => ({ rel: relative(root, path).split(sep).join('/'), content: await readFile(path) })));
  }
}

/**
 * The file's precompiled template, or one compiled now with the same options (strict, no HTML
 * escaping). Either way it is bound to `hbs`, with its helpers and partials.
 */
async function templateFor(hbs: typeof Handlebars, file: TemplateFile): Promise<HandlebarsTemplateDelegate> {
  if (file.spec) {
    return hbs.template(file.spec);
  }
  const { default: compiler } = await import('handlebars');
  const code = compiler.precompile(file.content.toString('utf8'), { strict: true, noEscape: true });
  return hbs.template(new Function(`return ${code}`)() as TemplateSpecification);
}

async function renderTemplate(hbs: typeof Handlebars, file: TemplateFile, context: object, name: string): Promise<string> {
  try {
    return (await templateFor(hbs, file))(context);
  } catch (err) {
    throw new Error(`Template ${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** Every file under `dir` (a folder of templates/, or one inside it) as a partial, named by its path there without `.hbs`. */
async function registerPartials(hbs: typeof Handlebars, templates: Templates, dir: string): Promise<void> {
  const [folder, sub] = splitFolder(dir);
  const prefix = sub === '' ? '' : `${sub}/`;
  const files = (await templates.folder(folder)).filter((file) => file.rel.startsWith(prefix));
  const partials = await Promise.all(files.map((file) => templateFor(hbs, file)));
  files.forEach((file, i) => hbs.registerPartial(file.rel.slice(prefix.length).replace(/\.hbs$/, ''), partials[i] as HandlebarsTemplateDelegate));
}

/** Every file under `dir`, sorted; none when it is missing. */
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
  const templates = new Templates(templatesDir);
  const hbs = createHandlebars();
  await registerPartials(hbs, templates, partialsDir);
  return renderTemplate(hbs, await templates.file(rel), context, rel);
}

/** A file under templates/ as it is, for one that is copied rather than rendered. */
export async function templateText(rel: string, templatesDir = TEMPLATES_DIR): Promise<string> {
  return (await new Templates(templatesDir).file(rel)).content.toString('utf8');
}
