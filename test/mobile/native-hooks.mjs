/** Module hooks (node --import): the native modules of a phone resolve to native-modules.mjs. */
import { register } from 'node:module';

const NATIVE = ['react-native', 'expo-secure-store', 'expo-crypto', 'expo-standard-web-crypto', 'react-native-url-polyfill', 'base-64', 'text-encoding'];
const STAND_IN = new URL('./native-modules.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  return NATIVE.includes(specifier) ? { url: STAND_IN, shortCircuit: true } : next(specifier, context);
}

if (!import.meta.url.includes('?hooks')) {
  register(`${import.meta.url}?hooks`);
  // React Native's global object is also `window`, and Hermes has no Web Crypto.
  Object.assign(globalThis, { window: globalThis });
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
}
