import type { MedplumClient } from '@medplum/core';
import { use } from 'react';
import './App.css';
import { handleExternalReturn, startExternalSignIn } from './auth.ts';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { Page } from './components/Page.tsx';
import { SignedIn } from './components/SignedIn.tsx';
import { SignInButton } from './components/SignInButton.tsx';
import { config } from './config.ts';
import type { Config } from './parseConfig.ts';
import { medplum } from './medplum.ts';
import { providerName } from './providerName.ts';
import { signOut } from './signOut.ts';
import { useAction } from './useAction.ts';
import { useProfile } from './useProfile.ts';

// Started once per page load, outside React. StrictMode runs effects twice in development,
// and a code redeemed twice is refused *and* revokes the session the first redemption created.
const session = medplum && config && { medplum, config, restored: restoreSession(medplum) };

export function App() {
  return <Page>{session && <Session {...session} />}</Page>;
}

interface SessionProps {
  readonly medplum: MedplumClient;
  readonly config: Config;
  /** Settles once a return from the IdP is handled and the stored session loaded: to an error to show, if any. */
  readonly restored: Promise<string | undefined>;
}

function Session({ medplum, config, restored }: SessionProps) {
  const restoreError = use(restored);
  const profile = useProfile(medplum);
  const { busy, error, run } = useAction(restoreError);

  return (
    <>
      {profile ? (
        <SignedIn
          profile={profile}
          projectName={medplum.getProject()?.name}
          busy={busy}
          onSignOut={() => run(() => signOut(medplum))}
        />
      ) : (
        <SignInButton
          provider={providerName(config.idpAuthorizeUrl)}
          busy={busy}
          // Medplum sends the user back to this page's origin: list it in the ClientApplication's Redirect URIs.
          onSignIn={() => run(() => startExternalSignIn(medplum, config, `${window.location.origin}/`))}
        />
      )}
      <ErrorMessage message={error} />
    </>
  );
}

/** Finishes a sign-in if Medplum just sent the browser back with ?code, then waits for the stored session, if any. */
async function restoreSession(medplum: MedplumClient): Promise<string | undefined> {
  const back = await handleExternalReturn(medplum, window.location);
  if (back.status !== 'none') {
    window.history.replaceState(window.history.state, '', back.cleanUrl);
  }
  // A stored session that has expired or was revoked is cleared by the client: the sign-in button shows.
  await medplum.getProfileAsync().catch(() => undefined);
  return back.status === 'error' ? back.message : undefined;
}
