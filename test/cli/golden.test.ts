/**
 * What each starter says and pins, as its user reads it: the summary (as printed, and `--json`), and the files that
 * carry the guide's words and the dependency versions (README, the env files, package.json, the
 * record, the access policy), against golden files in test/fixtures/golden/. A change to a method's
 * text, a checklist, a version or a template shows up as a diff to review; once it is the one
 * intended, `npx vitest run test/cli/golden.test.ts -u` accepts it.
 *
 * In process (runCli), so Stryker runs it: it is what kills a mutant in the guide's prose.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

const CLIENT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PINNED = ['README.md', '.env', '.env.example', 'package.json', 'medplum-auth.json', 'access-policy.json'];

const IDP = ['--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', '0oa-golden'];
const VARIANTS: readonly (readonly [string, readonly string[]])[] = [
  ['oauth-auth-code', ['-m', 'oauth-auth-code']],
  ['google-auth', ['-m', 'google-auth', '--google-client-id', 'golden.apps.googleusercontent.com']],
  ['external-idp', ['-m', 'external-idp', ...IDP]],
  ['domain-idp', ['-m', 'domain-idp']],
  ['client-credentials', ['-m', 'client-credentials']],
  ['basic-auth', ['-m', 'basic-auth']],
  ['token-exchange', ['-m', 'token-exchange', '--idp', 'auth0', '--idp-domain', 'example.us.auth0.com']],
  ['device-credentials', ['-m', 'device-credentials', '--allow-ip', '10.20.0.0/16']],
  ['jwt-assertion', ['-m', 'jwt-assertion', '--device-id', '1d2e3f4a-5b6c-4d7e-8f90-a1b2c3d4e5f6']],
  ['oauth-auth-code-plain', ['-m', 'oauth-auth-code', '--ui', 'plain']],
  ['google-auth-plain', ['-m', 'google-auth', '--ui', 'plain', '--google-client-id', 'golden.apps.googleusercontent.com']],
  ['external-idp-plain', ['-m', 'external-idp', '--ui', 'plain', ...IDP]],
  ['domain-idp-plain', ['-m', 'domain-idp', '--ui', 'plain']],
  ['oauth-auth-code-mobile', ['-m', 'oauth-auth-code', '--platform', 'mobile']],
  ['google-auth-mobile', ['-m', 'google-auth', '--platform', 'mobile', '--google-client-id', 'golden.apps.googleusercontent.com']],
  ['external-idp-mobile', ['-m', 'external-idp', '--platform', 'mobile', ...IDP]],
  ['domain-idp-mobile', ['-m', 'domain-idp', '--platform', 'mobile']],
];

describe('golden: what each starter says', () => {
  it.each(VARIANTS)('%s', async (name, args) => {
    const cwd = await tempDir();
    const run = (name: string, ...more: string[]) =>
      runCli([name, ...args, '--base-url', 'https://medplum.example.com/', '--client-id', CLIENT_ID, '--no-install', '--no-git', '--no-check', ...more], {
        cwd,
        env: { MEDPLUM_CLIENT_SECRET: 'golden-secret', npm_config_user_agent: 'npm/11.6.0 node/v22.18.0 linux x64' },
      });
    const [result, summary] = [await run('golden-app', '--json'), await run('golden-summary')];
    expect(result.code, result.stderr).toBe(0);
    expect(summary.code, summary.stderr).toBe(0);
    const dir = join(cwd, 'golden-app');
    const sections = [`# --json\n${result.stdout.replaceAll(cwd, '<cwd>')}`, `# the summary (stdout, then stderr)\n${summary.stdout.replaceAll(cwd, '<cwd>')}${summary.stderr.replaceAll(cwd, '<cwd>')}`];
    for (const file of PINNED) {
      const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
      if (text !== undefined) {
        sections.push(`# ${file}\n${text}`);
      }
    }
    // jwt-assertion's key pair is new on every run: its thumbprint is the one value that may differ.
    const kid = parseEnv(await readFile(join(dir, '.env'), 'utf8')).MEDPLUM_KEY_ID;
    const golden = sections.join('\n');
    await expect(kid ? golden.replaceAll(kid, '<kid: RFC 7638 thumbprint of the generated key>') : golden).toMatchFileSnapshot(
      `../fixtures/golden/${name}.txt`,
    );
  });
});
