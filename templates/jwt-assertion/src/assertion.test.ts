import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPrivateKey, signAssertion } from './assertion.ts';
import { decodeJwt, testKeyPair } from './testing/fake-private-key-jwt.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const tokenUrl = 'https://api.medplum.com/oauth2/token';

test('the header is {alg: ES256, kid, typ: JWT}; iss = sub = the client, aud = the token URL, exp 5 min after iat', () => {
  const { privateKey } = testKeyPair();

  const jwt = signAssertion({ privateKey, keyId: 'key-1', clientId, tokenUrl, now: 1_800_000_000 });

  const { header, claims } = decodeJwt(jwt);
  assert.deepEqual(header, { alg: 'ES256', kid: 'key-1', typ: 'JWT' });
  assert.deepEqual(
    { ...claims, jti: undefined },
    { iss: clientId, sub: clientId, aud: tokenUrl, iat: 1_800_000_000, exp: 1_800_000_300, jti: undefined }
  );
  assert.match(String(claims.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('the signature verifies with the public key from jwks.json, and not with another key', () => {
  const { privateKey, jwks } = testKeyPair();
  const other = testKeyPair();

  const jwt = signAssertion({ privateKey, keyId: 'test-key', clientId, tokenUrl });

  const [header, claims, signature] = jwt.split('.');
  const check = (jwk: (typeof jwks.keys)[number]) =>
    verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url')
    );
  assert.equal(Buffer.from(signature, 'base64url').length, 64); // raw r||s, as JWS requires
  assert.equal(check(jwks.keys[0]), true);
  assert.equal(check(other.jwks.keys[0]), false);
});

test('every assertion has a fresh jti', () => {
  const { privateKey } = testKeyPair();
  const jtis = new Set(
    Array.from({ length: 20 }, () => decodeJwt(signAssertion({ privateKey, keyId: 'k', clientId, tokenUrl })).claims.jti)
  );
  assert.equal(jtis.size, 20);
});

test('loadPrivateKey: a missing, non-key or non-P-256 file is one clear line naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'device-key-'));
  const missing = join(dir, 'nope.pem');
  assert.throws(() => loadPrivateKey(missing), {
    name: 'ConfigError',
    message: `Could not read MEDPLUM_PRIVATE_KEY_PATH (${missing}): ENOENT. Point it at the PEM private key that create-medplum-auth generated (medplum-device-key.pem).`,
  });

  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a key\n');
  assert.throws(() => loadPrivateKey(garbage), {
    name: 'ConfigError',
    message: `MEDPLUM_PRIVATE_KEY_PATH (${garbage}) is not a PEM private key.`,
  });

  const { generateKeyPairSync } = process.getBuiltinModule('node:crypto');
  const p384 = join(dir, 'p384.pem');
  writeFileSync(p384, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  assert.throws(() => loadPrivateKey(p384), /is not an EC P-256 key: this agent signs ES256/);

  const good = join(dir, 'good.pem');
  writeFileSync(good, testKeyPair().privatePem, { mode: 0o600 });
  assert.equal(loadPrivateKey(good).asymmetricKeyDetails?.namedCurve, 'prime256v1');
});
