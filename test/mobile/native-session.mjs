/**
 * The Expo starter's sign-in on a "phone" (native-hooks.mjs): its polyfills and its src/password.ts,
 * run in the installed project against Medplum (argv: base URL, client ID, email, password).
 * Prints what happened as JSON: the session kept in the secure store, and restored by a new client.
 */
import { MedplumClient } from '@medplum/core';
import { ExpoClientStorage, polyfillMedplumWebAPIs } from '@medplum/expo-polyfills';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { digests, keychain } from './native-modules.mjs';

const [baseUrl, clientId, email, password] = process.argv.slice(2);
polyfillMedplumWebAPIs();
const { signInWithPassword } = await import(pathToFileURL(resolve('src/password.ts')).href);

const first = new MedplumClient({ baseUrl, clientId, storage: new ExpoClientStorage() });
await first.getInitPromise(); // the app waits for it too: MedplumProvider's `loading`
const step = await signInWithPassword(first, email, password);
await new Promise((done) => setTimeout(done, 50)); // ExpoClientStorage writes to the store in the background

// The app starts again: a new storage reads the secure store back, and a new client resumes the session.
const second = new MedplumClient({ baseUrl, clientId, storage: new ExpoClientStorage() });
await second.getInitPromise();
const profile = await second.getProfileAsync();
console.log(
  JSON.stringify({
    step: step.kind,
    digests: digests.count,
    keychainKeys: [...keychain.keys()].sort(),
    restored: profile ? `${profile.resourceType}/${profile.id}` : null,
    signedInAs: first.getProfile() ? `${first.getProfile().resourceType}/${first.getProfile().id}` : null,
  }),
);
