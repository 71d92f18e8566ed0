import { normalizeErrorString } from '@medplum/core';
import type { MedplumClient } from '@medplum/core';
import { Suspense, use, useState, useTransition } from 'react';
import './App.css';
import { chooseMembership, signInWithGoogle, signOut } from './auth.ts';
import type { MembershipChoice } from './auth.ts';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { GoogleButton } from './components/GoogleButton.tsx';
import { ProjectChooser } from './components/ProjectChooser.tsx';
import { SignedIn } from './components/SignedIn.tsx';
import { config, configProblem } from './config.ts';
import { medplum } from './medplum.ts';
import type { Config } from './parseConfig.ts';
import { useProfile } from './useProfile.ts';

// Started once per page load, outside React: loads the stored session, if any.
// A stored session that has expired or was revoked is cleared by the client, and the button shows.
const restored = medplum?.getProfileAsync().catch(() => undefined);

export function App() {
  return (
    <main className="app">
      <h1>Medplum sign-in</h1>
      {medplum && config && restored ? (
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Session medplum={medplum} config={config} restored={restored} />
        </Suspense>
      ) : (
        <ErrorMessage message={configProblem} />
      )}
    </main>
  );
}

interface SessionProps {
  readonly medplum: MedplumClient;
  readonly config: Config;
  readonly restored: Promise<unknown>;
}

interface ProjectChoice {
  readonly login: string;
  readonly memberships: MembershipChoice[];
}

function Session({ medplum, config, restored }: SessionProps) {
  use(restored);
  const profile = useProfile(medplum);
  const [error, setError] = useState<string>();
  const [choice, setChoice] = useState<ProjectChoice>();
  const [busy, startTransition] = useTransition();

  /** Runs one sign-in step; a failure becomes the one error line under the button. */
  function run(step: () => Promise<void>): void {
    setError(undefined);
    startTransition(async () => {
      try {
        await step();
      } catch (err) {
        setError(normalizeErrorString(err));
      }
    });
  }

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
      <GoogleButton
        googleClientId={config.googleClientId}
        busy={busy}
        onCredential={(credential) =>
          run(async () => {
            const result = await signInWithGoogle(medplum, {
              googleClientId: config.googleClientId,
              credential,
              projectId: config.projectId,
            });
            if (result.status === 'choose-project') {
              setChoice(result);
            }
          })
        }
        onError={setError}
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
