import type { MedplumClient } from '@medplum/core';
import { use, useState } from 'react';
import './App.css';
import {
  chooseMembership,
  domainSignInUrl,
  handleRedirectReturn,
  lookUpSignInMethod,
  signInWithPassword,
} from './auth.ts';
import type { MembershipChoice } from './auth.ts';
import { EmailStep } from './components/EmailStep.tsx';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { Page } from './components/Page.tsx';
import { PasswordStep } from './components/PasswordStep.tsx';
import { ProjectChooser } from './components/ProjectChooser.tsx';
import { SignedIn } from './components/SignedIn.tsx';
import { config } from './config.ts';
import { medplum } from './medplum.ts';
import type { Config } from './parseConfig.ts';
import { signOut } from './signOut.ts';
import { useAction } from './useAction.ts';
import { useProfile } from './useProfile.ts';

// Started once per page load, outside React. StrictMode runs effects twice in development,
// and a code redeemed twice is refused *and* revokes the session the first redemption created.
const restored = medplum && restoreSession(medplum);

export function App() {
  return (
    <Page>{medplum && config && restored && <Session medplum={medplum} config={config} restored={restored} />}</Page>
  );
}

interface SessionProps {
  readonly medplum: MedplumClient;
  readonly config: Config;
  /** Resolves once any domain sign-in is finished and the stored session is loaded; to an error to show, if any. */
  readonly restored: Promise<string | undefined>;
}

type Step =
  | { readonly name: 'email'; readonly email: string }
  | { readonly name: 'password'; readonly email: string }
  | { readonly name: 'choose-project'; readonly login: string; readonly memberships: MembershipChoice[] };

function Session({ medplum, config, restored }: SessionProps) {
  const restoreError = use(restored);
  const profile = useProfile(medplum);
  const { busy, error, run } = useAction(restoreError);
  const [step, setStep] = useState<Step>({ name: 'email', email: '' });

  let content;
  if (profile) {
    content = (
      <SignedIn
        profile={profile}
        projectName={medplum.getProject()?.name}
        busy={busy}
        onSignOut={() =>
          run(async () => {
            await signOut(medplum);
            setStep({ name: 'email', email: '' });
          })
        }
      />
    );
  } else if (step.name === 'choose-project') {
    content = (
      <ProjectChooser
        memberships={step.memberships}
        busy={busy}
        onChoose={(membershipId) =>
          run(async () => {
            await chooseMembership(medplum, step.login, membershipId);
          })
        }
        onCancel={() => setStep({ name: 'email', email: '' })}
      />
    );
  } else if (step.name === 'password') {
    content = (
      <PasswordStep
        email={step.email}
        busy={busy}
        onSignIn={(password) =>
          run(async () => {
            const result = await signInWithPassword(medplum, {
              email: step.email,
              password,
              projectId: config.projectId,
            });
            if (result.status === 'choose-project') {
              setStep({ name: 'choose-project', login: result.login, memberships: result.memberships });
            }
          })
        }
        onBack={() => setStep({ name: 'email', email: step.email })}
      />
    );
  } else {
    content = (
      <EmailStep
        busy={busy}
        initialEmail={step.email}
        onNext={(email) =>
          run(async () => {
            const method = await lookUpSignInMethod(medplum, email);
            if (method.kind === 'password') {
              setStep({ name: 'password', email });
              return;
            }
            // The organization's identity provider signs this user in; Medplum then sends the browser back here.
            const appUrl = new URL('/', window.location.href).toString();
            const url = await domainSignInUrl(medplum, method, {
              clientId: config.clientId,
              appUrl,
              projectId: config.projectId,
            });
            window.location.assign(url);
          })
        }
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

/** Finishes a domain sign-in if the URL carries one, then waits for the stored session, if any. */
async function restoreSession(medplum: MedplumClient): Promise<string | undefined> {
  const redirect = await handleRedirectReturn(medplum, window.location);
  if (redirect.status !== 'none') {
    window.history.replaceState(window.history.state, '', redirect.cleanUrl);
  }
  // A stored session that has expired or was revoked is cleared by the client: the email step shows.
  await medplum.getProfileAsync().catch(() => undefined);
  return redirect.status === 'error' ? redirect.message : undefined;
}
