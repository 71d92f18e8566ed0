import { MedplumClient } from '@medplum/core';
import { MedplumProvider, useMedplumProfile } from '@medplum/react-hooks';
import { StrictMode, Suspense, use } from 'react';
import { createRoot } from 'react-dom/client';
import './App.css';
import { SignedIn } from './components/SignedIn.tsx';
import { readEnv } from './env.ts';
import { restoreSession } from './redirect.ts';
import { SignIn } from './SignIn.tsx';
import { useAction } from './useAction.ts';
import { VARIABLES, type Config } from './variables.ts';

const env = readEnv(import.meta.env, VARIABLES);
// The app's one client. It keeps the session in localStorage, so a reload stays signed in.
const medplum = 'config' in env ? new MedplumClient({ baseUrl: env.config.baseUrl, clientId: env.config.clientId }) : undefined;
// Outside React, so once per page load: StrictMode runs effects twice in development.
const restored = medplum && restoreSession(medplum);

function Session({ config, restored }: { readonly config: Config; readonly restored: Promise<string | undefined> }) {
  const action = useAction(use(restored));
  const profile = useMedplumProfile();
  return (
    <>
      {profile ? <SignedIn profile={profile} action={action} /> : <SignIn config={config} action={action} />}
      <p role="alert" className="error">{action.error}</p>
    </>
  );
}

if ('problem' in env) {
  console.error(env.problem);
}
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <main className="app">
      <h1>Medplum sign-in</h1>
      {medplum && restored && 'config' in env ? (
        <MedplumProvider medplum={medplum}>
          <Suspense fallback={<p role="status">Loading…</p>}>
            <Session config={env.config} restored={restored} />
          </Suspense>
        </MedplumProvider>
      ) : (
        <p role="alert" className="error">{'problem' in env && env.problem}</p>
      )}
    </main>
  </StrictMode>
);
