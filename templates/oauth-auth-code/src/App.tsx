import type { MedplumClient } from '@medplum/core';
import { use, useState } from 'react';
import './App.css';
import { chooseMembership, handleRedirectReturn, signInWithPassword, startRedirectSignIn } from './auth.ts';
import type { MembershipChoice } from './auth.ts';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { Page } from './components/Page.tsx';
import { ProjectChooser } from './components/ProjectChooser.tsx';
import { SignedIn } from './components/SignedIn.tsx';
import { SignInForm } from './components/SignInForm.tsx';
import { config } from './config.ts';
import { medplum } from './medplum.ts';
import { signOut } from './signOut.ts';
import { useAction } from './useAction.ts';
import { useProfile } from './useProfile.ts';

// Started once per page load, outside React. StrictMode runs effects twice in development,
// and a code redeemed twice is refused *and* revokes the session the first redemption created.
const session = medplum && { medplum, restored: restoreSession(medplum) };

export function App() {
  return (
    <Page>
      {session && <Session medplum={session.medplum} restored={session.restored} projectId={config?.projectId} />}
    </Page>
  );
}

interface SessionProps {
  readonly medplum: MedplumClient;
  /** Resolves once any redirect sign-in is finished and the stored session is loaded; to an error to show, if any. */
  readonly restored: Promise<string | undefined>;
  readonly projectId: string | undefined;
}

interface ProjectChoice {
  readonly login: string;
  readonly memberships: MembershipChoice[];
}

function Session({ medplum, restored, projectId }: SessionProps) {
  const restoreError = use(restored);
  const profile = useProfile(medplum);
  const { busy, error, run } = useAction(restoreError);
  const [choice, setChoice] = useState<ProjectChoice>();

  let content;
  if (profile) {
    content = (
      <SignedIn
        profile={profile}
        projectName={medplum.getProject()?.name}
        busy={busy}
        onSignOut={() => run(() => signOut(medplum))}
      />
    );
  } else if (choice) {
    content = (
      <ProjectChooser
        memberships={choice.memberships}
        busy={busy}
        onChoose={(membershipId) =>
          run(async () => {
            await chooseMembership(medplum, choice.login, membershipId);
            setChoice(undefined);
          })
        }
        onCancel={() => setChoice(undefined)}
      />
    );
  } else {
    content = (
      <SignInForm
        busy={busy}
        onPasswordSignIn={(email, password) =>
          run(async () => {
            const result = await signInWithPassword(medplum, { email, password, projectId });
            if (result.status === 'choose-project') {
              setChoice(result);
            }
          })
        }
        onRedirectSignIn={() => run(() => startRedirectSignIn(medplum))}
      />
    );
  }

  return (
    <>
      {content}
      <ErrorMessage message={error} />
    </>
  );
}

/** Finishes a redirect sign-in if the URL carries one, then waits for the stored session, if any. */
async function restoreSession(medplum: MedplumClient): Promise<string | undefined> {
  const redirect = await handleRedirectReturn(medplum, window.location);
  if (redirect.status !== 'none') {
    window.history.replaceState(window.history.state, '', redirect.cleanUrl);
  }
  // A stored session that has expired or was revoked is cleared by the client: the sign-in form shows.
  await medplum.getProfileAsync().catch(() => undefined);
  return redirect.status === 'error' ? redirect.message : undefined;
}
