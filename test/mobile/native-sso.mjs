/**
 * The IdP sign-in of the Expo starters (mobile-sso) on a "phone" (native-hooks.mjs): the polyfills and
 * src/sso.ts, run in an installed external-idp project against Medplum (argv: base URL, client ID, the
 * IdP's authorize URL and client ID, the user's email). The system browser is played with fetch: the
 * IdP's sign-in form, then each redirect, until one leaves for the app's scheme (app://), whose address
 * goes to finishSso as openAuthSessionAsync hands it to the app. Prints what happened as JSON.
 */
import { MedplumClient } from '@medplum/core';
import { ExpoClientStorage, polyfillMedplumWebAPIs } from '@medplum/expo-polyfills';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { digests, keychain } from './native-modules.mjs';

const [baseUrl, clientId, authorizeUrl, idpClientId, email] = process.argv.slice(2);
const REDIRECT_URI = 'app://'; // makeRedirectUri() in a build of the app scaffolded as "app"
polyfillMedplumWebAPIs();
const load = (file) => import(pathToFileURL(resolve(file)).href);
const { finishSso, withLoginState } = await load('src/sso.ts');
const { idpAuthorizeUrl } = await load('src/idp.ts');

const medplum = new MedplumClient({ baseUrl, clientId, storage: new ExpoClientStorage() });
await medplum.getInitPromise();
const url = await withLoginState(medplum, idpAuthorizeUrl({ authorizeUrl, clientId: idpClientId }, baseUrl), { clientId, redirectUri: REDIRECT_URI });

// The browser: the user signs in on the IdP's form (it posts back to its own address), then redirects.
let response = await fetch(url, { method: 'POST', body: new URLSearchParams({ email }), redirect: 'manual' });
let location = response.headers.get('location');
while (location && /^https?:/.test(location)) {
  response = await fetch(location, { redirect: 'manual' });
  location = response.headers.get('location');
}
if (!location) {
  throw new Error(`the browser stopped at ${response.status}: ${await response.text()}`);
}
const step = await finishSso(medplum, location, REDIRECT_URI);
await new Promise((done) => setTimeout(done, 50)); // ExpoClientStorage writes to the store in the background
console.log(
  JSON.stringify({
    returnedTo: new URL(location).protocol,
    step: step.kind,
    digests: digests.count,
    keychainKeys: [...keychain.keys()].sort(),
    signedInAs: `${step.profile.resourceType}/${step.profile.id}`,
  }),
);
