import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { finishRedirect } from './redirect.ts';
import { APP_URL, inBrowser, testClient } from './testing/medplum.ts';

const browser = inBrowser();
after(browser.leave);

test('?code is redeemed with the PKCE verifier; code, login and state leave the URL, other parameters stay', async () => {
  const { medplum, body } = testClient();
  const { codeChallenge } = await medplum.startPkce();

  assert.deepEqual(await finishRedirect(medplum, `${APP_URL}?tab=notes&login=l1&code=c1&state=s1`), { cleanUrl: `${APP_URL}?tab=notes` });
  const token = body('POST oauth2/token');
  assert.equal(token.code, 'c1');
  assert.equal(createHash('sha256').update(token.code_verifier ?? '').digest('base64url'), codeChallenge);
  assert.equal(medplum.getProfile()?.id, 'p1', 'signed in');
});

test('a refused code (say, a reload that kept it) is reported in one line', async () => {
  const refused = [400, { error: 'invalid_grant', error_description: 'Token already granted' }];
  const { medplum } = testClient({ 'POST oauth2/token': refused });
  const result = await finishRedirect(medplum, `${APP_URL}?code=c1`);
  assert.deepEqual(result, { cleanUrl: APP_URL, error: 'Failed to fetch tokens: Token already granted' });
});

test('?error= is reported without calling Medplum; a URL with neither is left alone', async () => {
  const { medplum, requests } = testClient();
  const url = `${APP_URL}?tab=notes&error=access_denied&error_description=User+cancelled`;
  assert.deepEqual(await finishRedirect(medplum, url), { cleanUrl: `${APP_URL}?tab=notes`, error: 'User cancelled (access_denied)' });
  assert.deepEqual(await finishRedirect(medplum, `${APP_URL}?tab=notes`), {});
  assert.deepEqual(requests, []);
});
