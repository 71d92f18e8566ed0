/**
 * planAdd on small projects written here: the access policy, the files the CLI makes (a private key
 * keeps out of the diff), the env dialect of each kind, and the paths it refuses. Nothing is written.
 */
import { describe, expect, it } from 'vitest';
import { detectProject } from '../../src/add/detect.js';
import { planAdd, type AddInput, type AddPlan } from '../../src/add/plan.js';
import { CliError } from '../../src/errors.js';
import { NO_IDP } from '../../src/guide/idp.js';
import { METHODS, type EnvInput } from '../../src/guide/methods.js';
import { buildPolicy } from '../../src/guide/policy.js';
import { project } from './project.js';

const VALUES: EnvInput = {
  baseUrl: 'http://localhost:8103/$base/',
  clientId: '0d1e8f3a-5c2b-4a7d-9e6f-1b2c3d4e5f60',
  clientSecret: 's3cr$t',
  projectId: '',
  googleClientId: '',
  idp: NO_IDP,
  jwt: { keyId: '', privateKeyPath: '' },
  deviceId: '',
};
const NODE_SERVICE = { 'package.json': { name: 'svc', type: 'module' }, 'src/index.js': '' };
const PRIVATE = '(private, not shown)\n';


/** planAdd for basic-auth in `dir`, unless `input` says otherwise. */
async function plan(dir: string, input: Partial<AddInput> = {}): Promise<AddPlan> {
  const base = { method: METHODS['basic-auth'], ui: undefined, values: VALUES, accessPolicy: null, extraFiles: [], force: false };
  return planAdd({ project: await detectProject(dir, 'svc'), ...base, ...input });
}

const file = (path: string, content: string, mode: number) => ({ path, content: Buffer.from(content), mode });

describe('planAdd: the access policy', () => {
  it('none: no access-policy.json', async () => {
    const { changes } = await plan(await project(NODE_SERVICE));
    expect(changes.map((c) => `${c.action} ${c.path}`)).toEqual(['create src/medplum.js', 'update package.json', 'create .env', 'create .env.example', 'create .gitignore']);
  });

  it('one: access-policy.json holds it', async () => {
    const accessPolicy = buildPolicy('svc', [{ resourceType: 'Patient', interaction: ['search'] }], []);
    const { changes } = await plan(await project(NODE_SERVICE), { accessPolicy });
    const created = changes.find((c) => c.path === 'access-policy.json');
    expect(created?.action).toBe('create');
    expect(JSON.parse(created?.after ?? '')).toEqual(accessPolicy);
  });
});

describe('planAdd: files the CLI makes', () => {
  it.each([
    ['a new private file: hidden', {}, 0o600, false, { action: 'create', before: undefined, shown: { before: undefined, after: PRIVATE } }],
    ['a new file: shown', {}, 0o644, false, { action: 'create', before: undefined, shown: { before: undefined, after: 'NEW' } }],
    ['a private file replaced with --force: hidden, before and after', { 'key.pem': 'OLD' }, 0o600, true, { action: 'replace', before: 'OLD', shown: { before: PRIVATE, after: PRIVATE } }],
    ['a file replaced with --force: shown', { 'key.pem': 'OLD' }, 0o644, true, { action: 'replace', before: 'OLD', shown: { before: 'OLD', after: 'NEW' } }],
  ])('%s', async (_, files, mode, force, expected) => {
    const { changes } = await plan(await project({ ...NODE_SERVICE, ...files }), { extraFiles: [file('key.pem', 'NEW', mode)], force });
    expect(changes.find((c) => c.path === 'key.pem')).toEqual({ path: 'key.pem', after: 'NEW', mode, ...expected });
  });

  it.each([
    ['other content: a clash, left out of the changes', 'OLD', ['key.pem']],
    ['the same content: nothing to do', 'NEW', []],
  ])('an existing file with %s', async (_, content, clashes) => {
    const added = await plan(await project({ ...NODE_SERVICE, 'key.pem': content }), { extraFiles: [file('key.pem', 'NEW', 0o600)] });
    expect(added.clashes).toEqual(clashes);
    expect(added.changes.map((c) => c.path)).not.toContain('key.pem');
  });
});

describe('planAdd: the env dialect', () => {
  const envAfter = async (files: Record<string, string | object>, input: Partial<AddInput>) =>
    (await plan(await project(files), input)).changes.find((c) => c.path.startsWith('.env') && c.path !== '.env.example')?.after;
  const web = { method: METHODS['oauth-auth-code'], ui: 'medplum' } as const;

  it('a Node service: $ as it is', async () => {
    expect(await envAfter(NODE_SERVICE, {})).toContain("\nMEDPLUM_BASE_URL='http://localhost:8103/$base/'\n");
  });

  it.each([
    ['Vite', { 'package.json': { dependencies: { react: '19.0.0', vite: '7.0.0' } }, 'src/main.tsx': '' }, 'VITE_MEDPLUM_BASE_URL'],
    ['Next.js', { 'package.json': { dependencies: { react: '19.0.0', next: '16.0.0' } }, 'app/layout.tsx': '' }, 'NEXT_PUBLIC_MEDPLUM_BASE_URL'],
  ])('%s: $ escaped, as its env loader expands it', async (_, files, name) => {
    expect(await envAfter(files, web)).toContain(`\n${name}='http://localhost:8103/\\$base/'\n`);
  });
});

describe('planAdd: paths it refuses', () => {
  it.each(['../outside.txt', '/abs/file.txt'])('%s: outside the project', async (path) => {
    const dir = await project(NODE_SERVICE);
    const err = await plan(dir, { extraFiles: [file(path, 'x', 0o644)] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toBe(`Refusing to write ${path}: it is outside ${dir}.`);
  });

  it('a read that fails other than for a missing file or a directory is passed on as it is', async () => {
    // src is a file, so src/medplum.js cannot be read: ENOTDIR.
    const dir = await project({ 'package.json': { name: 'svc' }, src: '' });
    await expect(plan(dir)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
