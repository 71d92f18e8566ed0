import { useEffect, useEffectEvent, useRef } from 'react';

// Google Identity Services draws the button: https://developers.google.com/identity/gsi/web/reference/js-reference
const GIS_SCRIPT = 'https://accounts.google.com/gsi/client';
type Callback = (response: { credential: string }) => void;
type AccountsId = { initialize(options: { client_id: string; callback: Callback }): void; renderButton(parent: HTMLElement, options: object): void };

// Loaded and initialized once per page, as Google asks; each credential goes to the button on screen.
let accountsId: Promise<AccountsId> | undefined;
let deliver = (_credential: string): void => {};

const load = (googleClientId: string) =>
  new Promise<AccountsId>((resolve, reject) => {
    const script = Object.assign(document.createElement('script'), { src: GIS_SCRIPT });
    script.onerror = () => reject(new Error(`Could not load ${GIS_SCRIPT}: are you offline, or is it blocked?`));
    script.onload = () => {
      const id = (window as { google?: { accounts: { id: AccountsId } } }).google?.accounts.id;
      id?.initialize({ client_id: googleClientId, callback: ({ credential }) => deliver(credential) });
      return id ? resolve(id) : reject(new Error(`${GIS_SCRIPT} did not define google.accounts.id`));
    };
    document.head.append(script);
  });

type Props = { readonly googleClientId: string; onCredential: (credential: string) => void; onError: (message: string) => void };

/** Google's "Sign in with Google" button; `onCredential` gets the ID token Google signed for this app. */
export function GoogleButton(props: Props) {
  const parent = useRef<HTMLDivElement>(null);
  const onCredential = useEffectEvent(props.onCredential);
  const onError = useEffectEvent(props.onError);
  useEffect(() => {
    const element = parent.current as HTMLDivElement;
    let mounted = true;
    (accountsId ??= load(props.googleClientId)).then(
      (id) => mounted && id.renderButton(element, { type: 'standard', size: 'large' }),
      (err: Error) => {
        accountsId = undefined; // the next render tries again
        onError(err.message);
      }
    );
    deliver = onCredential;
    return () => {
      mounted = false;
      element.replaceChildren();
    };
  }, [props.googleClientId]);
  return <div ref={parent} style={{ minHeight: 44 }} />;
}
