/**
 * The method's wiring for a project kind: the files it adds, the edit to the project's entry point
 * (or, when that file's shape is not recognised, the same edit as a manual step), and how to use it.
 */
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Method } from '../guide/methods.js';
import { renderTemplateFile, TEMPLATES_DIR } from '../scaffold/render.js';
import type { Project } from './detect.js';
import { importSpecifier, wrapElement } from './source-edit.js';

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
export async function wireProject(project: Project, method: Method, read: Read): Promise<Wiring> {
  return project.kind.id === 'node' ? wireNode(project, method) : wireWeb(project, method, read);
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

/** MedplumAuth (provider, Mantine, sign-in) around the app's root, and Mantine's PostCSS setup. */
async function wireWeb(project: Project, method: Method, read: Read): Promise<Wiring> {
  const next = project.kind.id === 'next';
  const entry = project.entry as NonNullable<Project['entry']>;
  const ext = project.typescript ? 'tsx' : 'jsx';
  const authPath = next ? posix.join(project.sourceDir, `medplum/MedplumAuth.${ext}`) : `src/MedplumAuth.${ext}`;
  const prefix = next ? 'NEXT_PUBLIC_' : 'VITE_';
  const names = Object.fromEntries(Object.entries(WEB_SETTINGS).map(([key, name]) => [key, prefix + name]));
  const env = {
    ...Object.fromEntries(Object.entries(names).map(([key, name]) => [key, next ? `process.env.${name}` : `import.meta.env.${name}`])),
    names,
  };
  const auth = await renderTemplateFile('add/web/MedplumAuth.hbs', { ...templateBase(project, method), next, env, prefix, bundler: next ? 'Next.js' : 'Vite' }, 'add/_partials');
  const files = new Map([[authPath, auth]]);
  const edits = new Map<string, string>();
  const manual: string[] = [];

  const source = await read(entry.path);
  const relative = posix.relative(posix.dirname(entry.path), authPath);
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
  const postcss = await findPostcssConfig(read);
  if (postcss === undefined) {
    // The new-project starters' own config (the medplum UI), byte for byte.
    files.set('postcss.config.mjs', await readFile(join(TEMPLATES_DIR, 'web-medplum/postcss.config.mjs'), 'utf8'));
  } else if (!postcss.text.includes('postcss-preset-mantine')) {
    manual.push(`In ${postcss.path}, add Mantine's PostCSS plugins as in https://mantine.dev/styles/postcss-preset/: 'postcss-preset-mantine' and 'postcss-simple-vars' with the mantine-breakpoint-* variables (@medplum/react's styles use them).`);
  }
  return {
    files,
    edits,
    manual,
    usage: ["In your components, useMedplum() and useMedplumProfile() from '@medplum/react' give the signed-in client and profile."],
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
