import { polyfillMedplumWebAPIs } from '@medplum/expo-polyfills';

// Imported first by index.ts: the Web APIs MedplumClient expects (crypto.subtle backed by
// expo-crypto, URL, TextEncoder, location…) must exist before any client is made.
polyfillMedplumWebAPIs();
