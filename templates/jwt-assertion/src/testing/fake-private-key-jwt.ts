import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { FakeMedplum, type FakeMedplumOptions, type TokenResponse } from './fake-medplum.ts';

export interface PrivateKeyJwtMedplumOptions extends FakeMedplumOptions<string> {
  /** The public keys the ClientApplication's jwksUri serves. Undefined: the client has no jwksUri. */
  jwks: { keys: JsonWebKey[] } | undefined;
  /** The token URL the server knows itself by. Default: the URL the request was sent to. */
  tokenUrl?: string;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * A fake Medplum whose ClientApplication signs in with private_key_jwt: the client_credentials grant
 * with a client assertion, checked in the server's order with its error texts (recorded from one).
 * It verifies each assertion's `aud`, `iss`/`sub`, ES256 signature and `exp` against the JWKS it is
 * given, as the server does with the JWKS at the ClientApplication's `jwksUri`. Its tokens act for
 * the client (`caller` is the client ID), and `auth/me` describes the client.
 */
export class PrivateKeyJwtMedplum extends FakeMedplum<string> {
  private readonly jwks: { keys: JsonWebKey[] } | undefined;
  private readonly tokenUrl: string | undefined;

  constructor(options: PrivateKeyJwtMedplumOptions) {
    super(options);
    this.jwks = options.jwks;
    this.tokenUrl = options.tokenUrl;
    this.grants.set('client_credentials', (form, request) => this.clientAssertion(form, this.tokenUrl ?? request.url));
    this.routes['GET auth/me'] = () => ({ status: 200, body: this.me() });
  }

  /** The client assertions received so far, decoded (whether they were accepted or not). */
  assertions(): DecodedJwt[] {
    return this.tokenGrants().flatMap((grant) => {
      const jwt = grant.get('client_assertion');
      return jwt ? [decodeJwt(jwt)] : [];
    });
  }

  private clientAssertion(form: URLSearchParams, tokenUrl: string): TokenResponse | string {
    if (!form.get('client_assertion_type')) return 'Missing client_id'; // this fake knows no secrets
    if (form.get('client_assertion_type') !== JWT_BEARER) return 'Unsupported client assertion type';
    const assertion = form.get('client_assertion') ?? '';
    let jwt: DecodedJwt;
    try {
      jwt = decodeJwt(assertion);
    } catch {
      return 'Invalid client assertion';
    }
    const { claims } = jwt;
    if (claims.aud !== tokenUrl) return 'Invalid client assertion audience';
    if (claims.iss !== claims.sub) return 'Invalid client assertion issuer';
    if (claims.iss !== this.clientId) return 'Client not found';
    if (!this.jwks) return 'Client must have a JWK Set URL';
    if (!this.verifies(assertion, jwt)) return 'Invalid client assertion signature';

    const profile = { reference: `ClientApplication/${this.clientId}`, display: 'Fake Device' };
    return this.signIn({ caller: this.clientId, subject: this.clientId, profile, scope: 'openid' });
  }

  /** As jose's jwtVerify: a key with the header's `kid`, an ES256 signature, and an `exp` in the future. */
  private verifies(assertion: string, { header, claims }: DecodedJwt): boolean {
    const jwk = this.jwks?.keys.find((key) => key.kid === header.kid);
    if (!jwk || header.alg !== 'ES256') {
      return false;
    }
    const [encodedHeader, encodedClaims, signature] = assertion.split('.');
    const valid = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedClaims}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url')
    );
    return valid && (typeof claims.exp !== 'number' || claims.exp > Date.now() / 1000);
  }

  private me(): unknown {
    const client = { reference: `ClientApplication/${this.clientId}`, display: 'Fake Device' };
    return {
      project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
      membership: { resourceType: 'ProjectMembership', id: 'fake-membership', user: client, profile: client },
      profile: { resourceType: 'ClientApplication', id: this.clientId, name: 'Fake Device' },
    };
  }
}

/** The header and claims of a JWT, without checking anything. Throws if it is not shaped like one. */
export function decodeJwt(jwt: string): DecodedJwt {
  const parts = jwt.split('.');
  if (parts.length !== 3) {
    throw new Error('not a JWT');
  }
  const [header, claims] = parts
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, claims };
}

/** A new EC P-256 key pair as create-medplum-auth makes one: the private key (and PEM), and the public JWKS. */
export function testKeyPair(kid = 'test-key'): {
  privateKey: KeyObject;
  privatePem: string;
  jwks: { keys: JsonWebKey[] };
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' };
  return { privateKey, privatePem, jwks: { keys: [jwk] } };
}
