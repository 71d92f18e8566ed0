import { useMedplum } from '@medplum/react-hooks';
import { startExternalSignIn } from './external.ts';
import { providerName } from './providerName.ts';
import type { Action } from './useAction.ts';
import type { Config } from './variables.ts';

export function SignIn({ config, action }: { readonly config: Config; readonly action: Action }) {
  const medplum = useMedplum();
  // Medplum sends the browser back to this page's origin: list it in the ClientApplication's Redirect URIs.
  const signIn = () => action.run(() => startExternalSignIn(medplum, config, `${window.location.origin}/`));
  return (
    <div className="stack">
      <p>Sign in with your organization's account. You will come back here once you are signed in.</p>
      <button type="button" disabled={action.busy} onClick={signIn}>
        Sign in with {providerName(config.idpAuthorizeUrl)}
      </button>
    </div>
  );
}
