// Google Identity Services (GIS), the script behind the "Sign in with Google" button:
// https://developers.google.com/identity/gsi/web/reference/js-reference
// Only the few calls this app makes are typed here.

const GIS_SCRIPT = 'https://accounts.google.com/gsi/client';

interface CredentialResponse {
  /** A JWT (ID token) signed by Google, with the user's email, name and `aud` = your Google client ID. */
  readonly credential: string;
}

interface GoogleAccountsId {
  initialize(options: { client_id: string; callback: (response: CredentialResponse) => void }): void;
  renderButton(parent: HTMLElement, options: Record<string, string | number>): void;
}

declare global {
  interface Window {
    google?: { accounts: { id: GoogleAccountsId } };
  }
}

// The script is loaded and initialized once per page; each credential goes to the button on screen.
let accountsId: Promise<GoogleAccountsId> | undefined;
let deliver: (credential: string) => void = () => {};

/**
 * Renders Google's button into `parent`. Google calls `onCredential` once the user has picked an account.
 * Nothing is rendered once `signal` is aborted (the component unmounted while the script loaded).
 * Rejects with a readable message when the script cannot be loaded (offline, an ad blocker, a CSP).
 */
export async function renderGoogleButton(
  parent: HTMLElement,
  googleClientId: string,
  onCredential: (credential: string) => void,
  signal: AbortSignal
): Promise<void> {
  accountsId ??= loadAccountsId(googleClientId);
  let id: GoogleAccountsId;
  try {
    id = await accountsId;
  } catch (err) {
    accountsId = undefined; // let the next render try again
    throw err;
  }
  if (!signal.aborted) {
    deliver = onCredential;
    id.renderButton(parent, { type: 'standard', theme: 'outline', size: 'large', text: 'signin_with' });
  }
}

async function loadAccountsId(googleClientId: string): Promise<GoogleAccountsId> {
  if (!window.google) {
    await new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = GIS_SCRIPT;
      script.async = true;
      script.onload = () => resolve();
      script.onerror = () => {
        script.remove();
        reject(
          new Error(`Could not load Google's sign-in script from ${GIS_SCRIPT}. Are you offline, or is it blocked?`)
        );
      };
      document.head.append(script);
    });
  }
  const id = window.google?.accounts.id;
  if (!id) {
    throw new Error(`${GIS_SCRIPT} loaded, but did not define google.accounts.id.`);
  }
  id.initialize({ client_id: googleClientId, callback: ({ credential }) => deliver(credential) });
  return id;
}
