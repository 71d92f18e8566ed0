import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPrivateKey, signAssertion } from './assertion.ts';

const clientId = 'the-device-client';
const tokenUrl = 'https://api.medplum.com/oauth2/token';
const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const decode = (part = '') => JSON.parse(Buffer.from(part, 'base64url').toString());

test('an ES256 JWT: iss = sub = the client, aud = the token URL, 5 minutes, a fresh jti, signed as JWS wants', () => {
  const { privateKey, publicKey } = keyPair();

  const [header, claims, signature] = signAssertion({ privateKey, keyId: 'key-1', clientId, tokenUrl, now: 1_800_000_000 }).split('.');

  assert.deepEqual(decode(header), { alg: 'ES256', kid: 'key-1', typ: 'JWT' });
  const { jti, ...rest } = decode(claims);
  assert.deepEqual(rest, { iss: clientId, sub: clientId, aud: tokenUrl, iat: 1_800_000_000, exp: 1_800_000_300 });
  assert.notEqual(jti, decode(signAssertion({ privateKey, keyId: 'key-1', clientId, tokenUrl }).split('.')[1]).jti);
  const check = (key: typeof publicKey) =>
    verify('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature ?? '', 'base64url'));
  assert.equal(check(publicKey), true); // raw r||s, not DER
  assert.equal(check(keyPair().publicKey), false);
});

test('loadPrivateKey: a missing, non-key or non-P-256 file is one clear line naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'device-key-'));
  const file = (name: string, contents: string) => {
    writeFileSync(join(dir, name), contents, { mode: 0o600 });
    return join(dir, name);
  };
  const pem = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  assert.throws(() => loadPrivateKey(join(dir, 'nope.pem')), /^ConfigError: Could not read MEDPLUM_PRIVATE_KEY_PATH \(.*nope\.pem\): ENOENT\./);
  assert.throws(() => loadPrivateKey(file('garbage.pem', 'not a key\n')), /garbage\.pem\) is not a PEM private key\.$/);
  assert.throws(() => loadPrivateKey(file('p384.pem', pem('P-384'))), /is not an EC P-256 key: this agent signs ES256/);
  assert.equal(loadPrivateKey(file('good.pem', pem('P-256'))).asymmetricKeyDetails?.namedCurve, 'prime256v1');
});
