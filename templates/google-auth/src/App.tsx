import type { MedplumClient } from '@medplum/core';
import { use, useState } from 'react';
import './App.css';
import { chooseMembership, signInWithGoogle } from './auth.ts';
import type { MembershipChoice } from './auth.ts';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { GoogleButton } from './components/GoogleButton.tsx';
import { Page } from './components/Page.tsx';
import { ProjectChooser } from './components/ProjectChooser.tsx';
import { SignedIn } from './components/SignedIn.tsx';
import { config } from './config.ts';
import { medplum } from './medplum.ts';
import type { Config } from './parseConfig.ts';
import { signOut } from './signOut.ts';
import { useAction } from './useAction.ts';
import { useProfile } from './useProfile.ts';

// Started once per page load, outside React: loads the stored session, if any.
// A stored session that has expired or was revoked is cleared by the client, and the button shows.
const restored = medplum?.getProfileAsync().catch(() => undefined);

export function App() {
  return (
    <Page>{medplum && config && restored && <Session medplum={medplum} config={config} restored={restored} />}</Page>
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
  const { busy, error, setError, run } = useAction();
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
