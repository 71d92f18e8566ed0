/**
 * src/medplum/provisioning.ts in process: when the scaffold offers to create the ClientApplication at a
 * terminal (offerProvision), and the --provision questions asked at a terminal (the admin's project,
 * the IdP client secret), with the prompts answered on @inquirer/testing's screen.
 */
// @inquirer/testing/vitest must be imported before anything that loads the prompts.
import { screen } from '@inquirer/testing/vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import type { Prompter } from '../../src/cli/prompts.js';
import { METHODS } from '../../src/guide/methods.js';
import { offerProvision } from '../../src/medplum/provisioning.js';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';
import { typeEmailAndPassword, waitFor } from '../screen.js';
import { freePort } from '../project.js';

const FIRST = '0f1e2d3c-4b5a-4968-8776-655443322110';
const SECOND = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ADMIN = {
  email: 'two-projects@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Admin' }] },
  admin: true,
  projects: [FIRST, SECOND],
};

let medplum: MedplumDouble;
let adminClient: { id: string; secret: string };
beforeAll(async () => {
  medplum = await startMedplumDouble({ projects: [{ id: FIRST, name: 'First' }, { id: SECOND, name: 'Second' }], users: [ADMIN] });
  adminClient = medplum.addClient({ name: 'CI admin', admin: true });
});
afterAll(() => medplum?.close());

/** The flags of `create-medplum-auth app <args>`, as parsed. */
function flagsOf(args: readonly string[]) {
  const parsed = parseArgs(['app', ...args], '0.0.0');
  if (parsed.kind !== 'create') {
    throw new Error(`not a create command: ${args.join(' ')}`);
  }
  return parsed.flags;
}

/** A prompter that answers `answer` to the confirm and records what it was asked; any other question fails. */
function confirmOnly(answer: boolean) {
  const asked: { message: string; default: boolean }[] = [];
  const unexpected = () => Promise.reject(new Error('only a confirm was expected'));
  const prompt: Prompter = {
    confirm: async (q) => {
      asked.push(q);
      return answer;
    },
    select: unexpected,
    input: unexpected,
    password: unexpected,
  };
  return { asked, prompt };
}

describe('offerProvision: the offer to create the ClientApplication at a terminal', () => {
  it.each([
    [['-m', 'client-credentials'], ' (and its AccessPolicy)'],
    [['-m', 'oauth-auth-code'], ''],
    [['-m', 'jwt-assertion', '--jwks-uri', 'https://keys.example.com/jwks.json'], ' (and its AccessPolicy)'],
    [['-m', 'device-credentials', '--secret-out', 'device-secret'], ' (and its AccessPolicy)'],
  ])('%j: offered, Yes by default when the server answers, and the answer is returned', async (args, policy) => {
    const flags = flagsOf(args);
    const { asked, prompt } = confirmOnly(true);
    expect(await offerProvision(flags, METHODS[flags.method as keyof typeof METHODS], medplum.baseUrl, fetch, prompt)).toBe(true);
    expect(asked).toEqual([{ message: `Create the ClientApplication${policy} on ${medplum.baseUrl} now? You'll sign in as a project admin.`, default: true }]);
  });

  it.each([
    ['a client secret is given', ['-m', 'basic-auth', '--client-secret', 's']],
    ['a client ID is given', ['-m', 'basic-auth', '--client-id', 'c']],
    ['--dry-run', ['-m', 'basic-auth', '--dry-run']],
    ['jwt-assertion has no --jwks-uri', ['-m', 'jwt-assertion']],
    ['device-credentials has no way to hand its secret over', ['-m', 'device-credentials']],
  ])('not offered when %s', async (_why, args) => {
    const flags = flagsOf(args);
    const { asked, prompt } = confirmOnly(true);
    expect(await offerProvision(flags, METHODS[flags.method as keyof typeof METHODS], medplum.baseUrl, fetch, prompt)).toBe(false);
    expect(asked).toEqual([]);
  });

  it('not offered without a terminal to ask at; --provision needs no asking', async () => {
    expect(await offerProvision(flagsOf(['-m', 'basic-auth']), METHODS['basic-auth'], medplum.baseUrl, fetch, undefined)).toBe(false);
    const { asked, prompt } = confirmOnly(false);
    expect(await offerProvision(flagsOf(['-m', 'basic-auth', '--provision']), METHODS['basic-auth'], medplum.baseUrl, fetch, prompt)).toBe(true);
    expect(asked).toEqual([]);
  });

  it('No by default when the server does not answer, and a No is returned', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}/`;
    const { asked, prompt } = confirmOnly(false);
    expect(await offerProvision(flagsOf(['-m', 'basic-auth']), METHODS['basic-auth'], baseUrl, fetch, prompt)).toBe(false);
    expect(asked).toEqual([{ message: `Create the ClientApplication (and its AccessPolicy) on ${baseUrl} now? You'll sign in as a project admin.`, default: false }]);
  });
});

describe('--provision at a terminal', () => {
  it('an admin of two projects, with --project-id: signed in to that project without being asked which', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'client-credentials', '--provision', '--project-id', SECOND, '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      tty: true,
    });
    await typeEmailAndPassword(ADMIN);
    // Asked which project, the run would wait for an answer: fail at once instead.
    const result = await Promise.race([run, waitFor(/Which project\?/).then(() => ({ code: -1, stdout: '', stderr: 'asked which project' }))]);
    expect(result.code, result.stderr).toBe(0);
    const clientId = parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8')).MEDPLUM_CLIENT_ID as string;
    expect(medplum.client(clientId).projectId).toBe(SECOND);
  });

  it("external-idp: the IdP's client secret is asked for, masked, and reaches the ClientApplication", async () => {
    const cwd = await tempDir();
    const idpSecret = 'typed-idp-secret-4d3c2b1a';
    const run = runCli(
      ['sso', '-m', 'external-idp', '--platform', 'web', '--ui', 'plain', '--idp', 'okta', '--idp-domain', 'acme.okta.com', '--idp-client-id', 'okta-app', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git'],
      { cwd, tty: true, env: { MEDPLUM_ADMIN_CLIENT_ID: adminClient.id, MEDPLUM_ADMIN_CLIENT_SECRET: adminClient.secret } },
    );
    await waitFor(/The app's client secret at your identity provider \(sent only to Medplum\)/);
    screen.type(idpSecret);
    expect(screen.getScreen()).not.toContain(idpSecret);
    screen.keypress('enter');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(idpSecret);
    const clientId = parseEnv(await readFile(join(cwd, 'sso/.env'), 'utf8')).VITE_MEDPLUM_CLIENT_ID;
    expect(medplum.resources('ClientApplication').find((c) => c.id === clientId)?.identityProvider).toMatchObject({ clientId: 'okta-app', clientSecret: idpSecret });
  });
});
