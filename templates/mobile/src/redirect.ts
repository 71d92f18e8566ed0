import { makeRedirectUri } from 'expo-auth-session';

/** Where a sign-in page sends the user back: the app's scheme on a phone (app.json), the page's origin on the web. */
export const redirectUri = makeRedirectUri();
