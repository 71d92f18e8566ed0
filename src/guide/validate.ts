/** Pure checks of user values. Each returns what to use, or throws a UsageError that says how to fix it. */
import { UsageError } from '../errors.js';
import { shownValue } from '../scaffold/escape.js';

/** npm's rules for a package name (the subset create-vite also uses). */
const PACKAGE_NAME = /^(?:@[a-z\d\-*~][a-z\d\-*._~]*\/)?[a-z\d\-~][a-z\d\-._~]*$/;

export function isValidPackageName(name: string): boolean {
  return name.length <= 214 && PACKAGE_NAME.test(name);
}

export function toValidPackageName(name: string): string {
  const valid = name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .replace(/^[._]+/, '')
    .replace(/[^a-z\d\-~]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return valid || 'medplum-app';
}

/** Trims whitespace and trailing slashes, as create-vite does. */
export function formatTargetDir(dir: string): string {
  return dir.trim().replace(/[/\\]+$/g, '') || dir.trim();
}

export function checkPackageName(name: string, source: string): string {
  if (!isValidPackageName(name)) {
    throw new UsageError(
      `${shownValue(name)} (${source}) is not a valid npm package name. Try "${toValidPackageName(name)}": lowercase letters, digits, - and _.`,
    );
  }
  return name;
}

/** localhost, *.localhost, 127.0.0.0/8 or [::1]: where plain http never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

export interface CheckedUrl {
  readonly url: string;
  readonly warning?: string;
}

/** A Medplum base URL: http(s), no credentials, query or fragment; normalised with a trailing slash. */
export function checkBaseUrl(value: string, name = '--base-url'): CheckedUrl {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UsageError(`${name} ${shownValue(value)} is not a URL. Pass the server's address, e.g. https://api.medplum.com/`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${name} must be http or https, not ${url.protocol.slice(0, -1)}. Pass e.g. https://api.medplum.com/`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${name} must not contain a user name or password. Pass credentials with --client-id and --client-secret.`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`${name} must not have a query or fragment. Pass the server root, e.g. https://api.medplum.com/`);
  }
  if (!url.pathname.endsWith('/')) {
    url.pathname += '/';
  }
  const local = isLoopbackHost(url.hostname);
  return {
    url: url.href,
    warning:
      url.protocol === 'http:' && !local
        ? `--base-url uses plain http to ${url.hostname}: credentials and tokens would cross the network unencrypted. Use https outside localhost.`
        : undefined,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidWarning(value: string, flag: string): string | undefined {
  return value === '' || UUID.test(value)
    ? undefined
    : `${flag} ${shownValue(value)} is not a UUID; Medplum ids are UUIDs. Check that you copied the ID, not the name.`;
}
