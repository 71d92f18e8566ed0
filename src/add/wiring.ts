/**
 * The method's wiring for a project kind: the files it adds, the edit to the project's entry point
 * (or, when that file's shape is not recognised, the same edit as a manual step), and how to use it.
 */
import { posix } from 'node:path';
import { DEFAULT_WEB_UI, layersFor, type Method, type WebEnv, type WebUi } from '../guide/methods.js';
import { renderLayerFiles, renderTemplateFile, templateText } from '../scaffold/render.js';
import type { Project } from './detect.js';
import { importSpecifier, usesExtensions, withoutExtensions, wrapElement } from './source-edit.js';

export interface Wiring {
  /** New files: path -> content. */
  readonly files: ReadonlyMap<string, string>;
  /** Edits of existing files: path -> new content. */
  readonly edits: ReadonlyMap<string, string>;
  /** Edits we could not make ourselves, with the exact code. */
  readonly manual: readonly string[];
  /** How the project's code uses what was added. */
  readonly usage: readonly string[];
}

/** The web components read their settings through the framework's own env access, which bundlers inline. */
const WEB_SETTINGS = {
  baseUrl: 'MEDPLUM_BASE_URL',
  clientId: 'MEDPLUM_CLIENT_ID',
  projectId: 'MEDPLUM_PROJECT_ID',
  googleClientId: 'GOOGLE_CLIENT_ID',
  idpAuthorizeUrl: 'IDP_AUTHORIZE_URL',
  idpClientId: 'IDP_CLIENT_ID',
} as const;

const ENTRY_ELEMENT = { vite: '<App />', app: '{children}', pages: '<Component {...pageProps} />' } as const;

type Read = (path: string) => Promise<string | undefined>;

/** `read` gives an existing file's text (undefined when there is none). */
export async function wireProject(project: Project, method: Method, ui: WebUi | undefined, read: Read): Promise<Wiring> {
  return project.kind.id === 'node' ? wireNode(project, method) : wireWeb(project, method, ui ?? DEFAULT_WEB_UI, read);
}

/** What every wiring template reads. */
const templateBase = (project: Project, method: Method) => ({ ts: project.typescript, method: { id: method.id, docsUrl: method.docsUrl } });

/** One module, in the project's language and module format, that exports a client signed in by the method. */
async function wireNode(project: Project, method: Method): Promise<Wiring> {
  const path = posix.join(project.sourceDir, `medplum.${project.typescript ? 'ts' : 'js'}`);
  // TypeScript writes import/export whatever the output format; only plain CommonJS needs require.
  const esmSyntax = project.typescript || project.esm;
  const content = await renderTemplateFile(`add/node/${method.id}.hbs`, { ...templateBase(project, method), esmSyntax }, 'add/_partials');
  const name = method.id === 'token-exchange' ? 'medplumFor' : 'getMedplum';
  const call = method.id === 'token-exchange' ? 'await medplumFor(idpAccessToken)' : 'await getMedplum()';
  return {
    files: new Map([[path, content]]),
    edits: new Map(),
    manual: [],
    usage: [
      esmSyntax ? `import { ${name} } from './medplum.js';` : `const { ${name} } = require('./medplum');`,
      `const medplum = ${call}; // e.g. await medplum.searchResources('Patient')`,
    ],
  };
}

/** MedplumAuth (the provider and the sign-in, in the UI asked for) around the app's root. */
async function wireWeb(project: Project, method: Method, ui: WebUi, read: Read): Promise<Wiring> {
  const entry = project.entry as NonNullable<Project['entry']>;
  const source = await read(entry.path);
  const auth = ui === 'plain' ? await plainUi(project, method, usesExtensions(source ?? '')) : await medplumUi(project, method, read);
  const files = new Map(auth.files);
  const edits = new Map<string, string>();
  const manual = [...auth.manual];

  const relative = posix.relative(posix.dirname(entry.path), auth.path);
  const specifier = importSpecifier(source ?? '', relative.startsWith('.') ? relative : `./${relative}`);
  const importLine = `import { MedplumAuth } from '${specifier}';`;
  if (source === undefined && entry.router === 'pages') {
    files.set(entry.path, await renderTemplateFile('add/web/next-app.hbs', { ts: project.typescript, authImport: specifier }, 'add/_partials'));
  } else if (source === undefined || !source.includes('MedplumAuth')) {
    const element = ENTRY_ELEMENT[entry.router ?? 'vite'];
    const edited = source === undefined ? undefined : wrapElement(source, element, 'MedplumAuth', importLine);
    if (edited === undefined) {
      manual.push(`In ${entry.path}, add ${importLine} and wrap ${element} in <MedplumAuth>: <MedplumAuth>${element}</MedplumAuth>`);
    } else {
      edits.set(entry.path, edited);
    }
  }
  return { files, edits, manual, usage: [auth.usage] };
}

/** A UI's files: MedplumAuth at `path`, what it imports, and any setup the project's build needs. */
interface UiFiles {
  readonly path: string;
  readonly files: ReadonlyMap<string, string>;
  readonly manual: readonly string[];
  readonly usage: string;
}

/** Medplum's React components on Mantine: MedplumAuth, and Mantine's PostCSS setup. */
async function medplumUi(project: Project, method: Method, read: Read): Promise<UiFiles> {
  const next = project.kind.id === 'next';
  const ext = project.typescript ? 'tsx' : 'jsx';
  const path = next ? posix.join(project.sourceDir, `medplum/MedplumAuth.${ext}`) : `src/MedplumAuth.${ext}`;
  const { prefix, bundler } = project.kind.webEnv as WebEnv;
  const names = Object.fromEntries(Object.entries(WEB_SETTINGS).map(([key, name]) => [key, prefix + name]));
  const env = {
    ...Object.fromEntries(Object.entries(names).map(([key, name]) => [key, next ? `process.env.${name}` : `import.meta.env.${name}`])),
    names,
  };
  const auth = await renderTemplateFile('add/web/MedplumAuth.hbs', { ...templateBase(project, method), next, env, prefix, bundler }, 'add/_partials');
  const files = new Map([[path, auth]]);
  const manual: string[] = [];
  const postcss = await findPostcssConfig(read);
  if (postcss === undefined) {
    // The new-project starters' own config (the medplum UI), byte for byte.
    files.set('postcss.config.mjs', await templateText('web-medplum/postcss.config.mjs'));
  } else if (!postcss.text.includes('postcss-preset-mantine')) {
    manual.push(`In ${postcss.path}, add Mantine's PostCSS plugins as in https://mantine.dev/styles/postcss-preset/: 'postcss-preset-mantine' and 'postcss-simple-vars' with the mantine-breakpoint-* variables (@medplum/react's styles use them).`);
  }
  return {
    path,
    files,
    manual,
    usage: "In your components, useMedplum() and useMedplumProfile() from '@medplum/react' give the signed-in client and profile.",
  };
}

/** The plain starters' sign-in: their own files, without their page (main.tsx, SignedIn), look (App.css) and tests. */
const isPlainSignIn = (path: string) => path.startsWith('src/') && !/^src\/(main\.tsx|App\.css|components\/SignedIn\.tsx|testing\/.*|.*\.test\.ts)$/.test(path);

/** Plain React on @medplum/react-hooks (TypeScript): the starters' sign-in and MedplumAuth, together in a medplum/ folder. */
async function plainUi(project: Project, method: Method, withExtensions: boolean): Promise<UiFiles> {
  const next = project.kind.id === 'next';
  const dir = posix.join(project.sourceDir, 'medplum');
  const signIn = await renderLayerFiles(layersFor(method, 'plain'), isPlainSignIn, { webEnv: project.kind.webEnv });
  const envNames = method.env.flatMap((v) => project.kind.envName(v) ?? []);
  const auth = await renderTemplateFile('add/web/MedplumAuth-plain.hbs', { ...templateBase(project, method), next, envNames }, 'add/_partials');
  const path = posix.join(dir, 'MedplumAuth.tsx');
  const files = new Map([...[...signIn].map(([file, text]) => [posix.join(dir, file.slice('src/'.length)), text] as const), [path, auth]]);
  return {
    path,
    // The starters import their siblings with the extension (allowImportingTsExtensions); a project that does not gets none.
    files: withExtensions ? files : new Map([...files].map(([file, text]) => [file, withoutExtensions(text)])),
    manual: [],
    usage: "In your components, useMedplum() and useMedplumProfile() from '@medplum/react-hooks' give the signed-in client and profile; medplum.signOut() signs out.",
  };
}

const POSTCSS_CONFIGS = ['postcss.config.mjs', 'postcss.config.js', 'postcss.config.cjs', 'postcss.config.ts', '.postcssrc', '.postcssrc.json', '.postcssrc.js'];

/** The project's own PostCSS config, if it has one (a file, or the "postcss" key of package.json). */
async function findPostcssConfig(read: (path: string) => Promise<string | undefined>): Promise<{ path: string; text: string } | undefined> {
  for (const path of POSTCSS_CONFIGS) {
    const text = await read(path);
    if (text !== undefined) {
      return { path, text };
    }
  }
  const pkg = JSON.parse((await read('package.json')) ?? '{}') as { postcss?: unknown };
  return pkg.postcss === undefined ? undefined : { path: 'package.json', text: JSON.stringify(pkg.postcss) };
}
