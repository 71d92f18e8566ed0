/**
 * Test harness: replays a recorded exchange (shared/medplum/wire/*.json) against the double and
 * lists every difference from the recorded response.
 *
 * Placeholders such as `<code_1>` or `<access_token_2>` are bound to live values the first time a
 * response shows them and substituted into later requests; a bound placeholder must keep its
 * value. PKCE values, tampered tokens and "random uuid" placeholders are generated. Placeholders
 * with a description (`<jti: random uuid>`) only require a string. Timestamps only need their format.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The captures, copied from the steering repo's shared/medplum/wire/ into test/fixtures/wire/ so
 * that a clean clone is self-contained; MEDPLUM_WIRE_DIR points elsewhere (e.g. a newer capture).
 */
export const WIRE_DIR = process.env.MEDPLUM_WIRE_DIR
  ? pathToFileURL(`${process.env.MEDPLUM_WIRE_DIR.replace(/\/$/, '')}/`)
  : new URL('../fixtures/wire/', import.meta.url);
const RECORDED_BASE_URL = 'http://localhost:8103/';

export interface WireExchange {
  readonly label: string;
  readonly sentBy?: string;
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string | readonly string[]>>;
    readonly body?: unknown;
  };
  readonly jwt?: Readonly<Record<string, { readonly header: unknown; readonly claims: Readonly<Record<string, unknown>> }>>;
}

export interface WireFile {
  readonly flow: string;
  readonly exchanges: readonly WireExchange[];
}

export function loadWire(name: string): WireFile {
  const url = new URL(name, WIRE_DIR);
  if (!existsSync(url)) {
    throw new Error(`wire capture not found: ${fileURLToPath(url)} (set MEDPLUM_WIRE_DIR to the directory of the captures)`);
  }
  return JSON.parse(readFileSync(url, 'utf8')) as WireFile;
}

/** Headers the recordings kept; each must be present exactly when recorded. */
const RECORDED_HEADERS = ['content-type', 'location', 'www-authenticate', 'set-cookie', 'etag', 'last-modified', 'cache-control', 'pragma'];
const TIME_CLAIMS = new Set(['iat', 'nbf', 'exp', 'auth_time', 'updated_at']);
const ISO_DATE = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z`;
const HTTP_DATE = String.raw`[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT`;
const LITERAL_DATES = new RegExp(`(${ISO_DATE}|${HTTP_DATE})`);

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isBindable = (name: string): boolean => /^[\w-]+$/.test(name);

export interface ReplayOptions {
  /** Dotted body paths whose value is not compared (they must still be present). */
  readonly ignore?: readonly string[];
}

export class Replayer {
  readonly baseUrl: string;
  readonly bindings: Map<string, string>;

  constructor(baseUrl: string, bindings: ReadonlyMap<string, string>) {
    this.baseUrl = baseUrl;
    this.bindings = new Map(bindings);
  }

  /** Sends the recorded request and returns the differences from the recorded response ([] = same). */
  async replay(exchange: WireExchange, options: ReplayOptions = {}): Promise<string[]> {
    const { request, response } = exchange;
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, this.substitute(v)]));
    const res = await fetch(new URL(this.substitute(request.path), this.baseUrl), {
      method: request.method,
      headers,
      body: this.requestBody(request.body, headers['content-type']),
      redirect: 'manual',
    });

    const problems: string[] = [];
    if (res.status !== response.status) {
      problems.push(`status: recorded ${response.status}, got ${res.status}`);
    }
    for (const name of RECORDED_HEADERS) {
      const recorded = response.headers[name];
      const actual = name === 'set-cookie' ? res.headers.getSetCookie() : res.headers.get(name);
      if (recorded === undefined) {
        if (actual !== null && actual.length > 0) {
          problems.push(`header ${name}: not recorded, got ${JSON.stringify(actual)}`);
        }
      } else {
        this.unify(recorded, actual ?? undefined, [`header ${name}`], problems, []);
      }
    }

    const text = await res.text();
    const isJson = res.headers.get('content-type')?.includes('json') ?? false;
    let body: unknown = text;
    if (isJson) {
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`body: not JSON: ${text.slice(0, 200)}`);
      }
    }
    if (response.body !== undefined) {
      this.unify(response.body, body, [], problems, options.ignore ?? []);
    }
    for (const [key, recorded] of Object.entries(exchange.jwt ?? {})) {
      if (!key.startsWith('request.')) {
        this.compareJwt(key, recorded, (body as Record<string, unknown>)[key], problems);
      }
    }
    return problems;
  }

  private requestBody(body: unknown, contentType: string | undefined): string | undefined {
    if (body === undefined) {
      return undefined;
    }
    if (contentType === 'application/x-www-form-urlencoded') {
      return new URLSearchParams(Object.entries(body as Record<string, string>).map(([k, v]) => [k, this.substitute(v)])).toString();
    }
    return JSON.stringify(this.substituteDeep(body));
  }

  private substituteDeep(value: unknown): unknown {
    if (typeof value === 'string') {
      return this.substitute(value);
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.substituteDeep(v));
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.substituteDeep(v)]));
    }
    return value;
  }

  /** Replaces the placeholders of a recorded request string with live values. */
  substitute(text: string): string {
    return text
      .replace(/<base64\((.*?)\)>/g, (_, inner: string) => Buffer.from(this.substitute(inner)).toString('base64'))
      .replace(/<([^<>]+)>/g, (_, name: string) => this.resolve(name));
  }

  private resolve(name: string): string {
    const challenge = /^(?:code_challenge_\d+: )?BASE64URL\(SHA256\((code_verifier_\d+)\)\)$/.exec(name);
    if (challenge?.[1]) {
      return s256(this.resolve(challenge[1]));
    }
    const tampered = /^(\w+) with one signature character changed$/.exec(name);
    if (tampered?.[1]) {
      return tamperSignature(this.resolve(tampered[1]));
    }
    const bound = this.bindings.get(name);
    if (bound !== undefined) {
      return bound;
    }
    if (/^code_verifier_\d+$/.test(name)) {
      return this.bind(name, randomBytes(64).toString('hex'));
    }
    if (name.includes('random uuid')) {
      return this.bind(name, randomUUID());
    }
    throw new Error(`unbound placeholder <${name}> in a recorded request`);
  }

  private bind(name: string, value: string): string {
    this.bindings.set(name, value);
    return value;
  }

  private unify(recorded: unknown, actual: unknown, path: readonly string[], problems: string[], ignore: readonly string[]): void {
    const where = path.join('.') || 'body';
    if (actual === undefined) {
      problems.push(`${where}: missing (recorded ${JSON.stringify(recorded)?.slice(0, 120)})`);
      return;
    }
    if (ignore.includes(path.join('.'))) {
      return;
    }
    if (typeof recorded === 'string') {
      if (typeof actual !== 'string') {
        problems.push(`${where}: recorded a string, got ${JSON.stringify(actual)?.slice(0, 120)}`);
      } else if (!this.matchString(recorded, actual)) {
        problems.push(`${where}: recorded ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
      }
    } else if (typeof recorded === 'number' && TIME_CLAIMS.has(path.at(-1) ?? '')) {
      if (typeof actual !== 'number') {
        problems.push(`${where}: recorded a time, got ${JSON.stringify(actual)}`);
      }
    } else if (Array.isArray(recorded)) {
      if (!Array.isArray(actual) || actual.length !== recorded.length) {
        problems.push(`${where}: recorded ${recorded.length} items, got ${JSON.stringify(actual)?.slice(0, 200)}`);
        return;
      }
      recorded.forEach((item, i) => this.unify(item, actual[i], [...path, String(i)], problems, ignore));
    } else if (typeof recorded === 'object' && recorded !== null) {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
        problems.push(`${where}: recorded an object, got ${JSON.stringify(actual)?.slice(0, 120)}`);
        return;
      }
      const actualRecord = actual as Record<string, unknown>;
      for (const key of Object.keys(actualRecord).filter((k) => !(k in recorded))) {
        problems.push(`${[...path, key].join('.')}: not recorded, got ${JSON.stringify(actualRecord[key])?.slice(0, 120)}`);
      }
      for (const [key, value] of Object.entries(recorded)) {
        this.unify(value, actualRecord[key], [...path, key], problems, ignore);
      }
    } else if (recorded !== actual) {
      problems.push(`${where}: recorded ${JSON.stringify(recorded)}, got ${JSON.stringify(actual)}`);
    }
  }

  /** Matches a recorded string (placeholders, recorded base URL, timestamps) and binds its placeholders. */
  private matchString(recorded: string, actual: string): boolean {
    const captures: string[] = [];
    let pattern = '';
    const live = recorded
      .replaceAll(RECORDED_BASE_URL, this.baseUrl)
      .replaceAll(encodeURIComponent(RECORDED_BASE_URL), encodeURIComponent(this.baseUrl));
    for (const part of live.split(/(<[^<>]+>)/)) {
      const name = /^<([^<>]+)>$/.exec(part)?.[1];
      if (name === undefined) {
        pattern += part
          .split(LITERAL_DATES)
          .map((piece, i) => (i % 2 === 1 ? (piece.endsWith('GMT') ? HTTP_DATE : ISO_DATE) : escapeRegExp(piece)))
          .join('');
      } else if (isBindable(name) && this.bindings.has(name)) {
        pattern += escapeRegExp(this.bindings.get(name) ?? '');
      } else {
        pattern += '(.+?)';
        captures.push(name);
      }
    }
    const match = new RegExp(`^${pattern}$`, 's').exec(actual);
    if (!match) {
      return false;
    }
    captures.forEach((name, i) => {
      if (isBindable(name)) {
        this.bind(name, match[i + 1] ?? '');
      }
    });
    return true;
  }

  private compareJwt(
    key: string,
    recorded: { readonly header: unknown; readonly claims: Readonly<Record<string, unknown>> },
    token: unknown,
    problems: string[],
  ): void {
    const [header, payload] = typeof token === 'string' ? token.split('.') : [];
    if (!header || !payload) {
      problems.push(`${key}: not a JWT: ${JSON.stringify(token)?.slice(0, 80)}`);
      return;
    }
    const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    const claims = decode(payload) as Record<string, unknown>;
    this.unify(recorded.header, decode(header), [`${key} header`], problems, []);
    this.unify(recorded.claims, claims, [`${key} claims`], problems, []);
    const { exp, iat } = recorded.claims;
    if (typeof exp === 'number' && typeof iat === 'number' && Number(claims.exp) - Number(claims.iat) !== exp - iat) {
      problems.push(`${key}: lifetime recorded ${exp - iat}s, got ${Number(claims.exp) - Number(claims.iat)}s`);
    }
  }
}

/** Changes one character in the middle of the signature. */
function tamperSignature(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const i = Math.floor(signature.length / 2);
  const swapped = signature[i] === 'A' ? 'B' : 'A';
  return `${header}.${payload}.${signature.slice(0, i)}${swapped}${signature.slice(i + 1)}`;
}
