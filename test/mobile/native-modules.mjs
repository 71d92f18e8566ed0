/**
 * What a phone gives @medplum/expo-polyfills, in Node: the native modules it imports, as small
 * stand-ins (resolved by native-hooks.mjs). Only what the polyfills and ExpoClientStorage call.
 */
import { webcrypto } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// react-native: an iOS app in the foreground.
export const Platform = { OS: 'ios' };
export const AppState = { currentState: 'active', addEventListener: () => ({ remove() {} }) };

// expo-secure-store: the Keychain, as an async key-value store that outlives the client (the app's restarts).
export const keychain = new Map();
export async function getItemAsync(key) {
  return keychain.get(key) ?? null;
}
export async function setItemAsync(key, value) {
  keychain.set(key, value);
}
export async function deleteItemAsync(key) {
  keychain.delete(key);
}

// expo-crypto: the native SHA-256 (counted, so the scenario can show that PKCE used it).
export const digests = { count: 0 };
export async function digest(algorithm, data) {
  digests.count++;
  return webcrypto.subtle.digest(algorithm, data);
}

// expo-standard-web-crypto (default export): getRandomValues only, as on a phone.
export default { getRandomValues: (array) => webcrypto.getRandomValues(array) };

// react-native-url-polyfill: Node's URL is complete already.
export function setupURLPolyfill() {}

// base-64 and text-encoding are CommonJS whose exports Node's ESM cannot name (Metro can): the
// real packages, from the project, passed through.
const project = createRequire(join(process.cwd(), 'package.json'));
export const { decode, encode } = project('base-64');
export const { TextEncoder, TextDecoder } = project('text-encoding');
