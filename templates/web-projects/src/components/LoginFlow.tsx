import { useMedplum } from '@medplum/react-hooks';
import { useState, type ReactNode } from 'react';
import { nextStep, sendMfaCode, type Answer, type Step } from '../login.ts';
import type { Action } from '../useAction.ts';
import type { Config } from '../variables.ts';

export type SignInProps = { readonly config: Config; readonly action: Action };
type LoginFlowProps = SignInProps & { readonly children?: (answer: (send: () => Promise<Answer>) => void) => ReactNode };

/**
 * Email; then the domain's identity provider or a password; then an MFA code and a profile, when Medplum asks.
 * `children`: other ways to sign in, above the email; `answer` takes the step their request's answer asks for.
 */
export function LoginFlow({ config, action, children }: LoginFlowProps) {
  const medplum = useMedplum();
  const [step, setStep] = useState<Step>({ name: 'email' });
  const request = { clientId: config.clientId, projectId: config.projectId, redirectUri: `${window.location.origin}/` };
  const answer = (send: () => Promise<Answer>, otherwise?: Step) =>
    action.run(async () => {
      const next = await nextStep(medplum, await send(), request, otherwise);
      if (next.name === 'redirect') {
        window.location.assign(next.url);
      } else {
        setStep(next);
      }
    });
  const back = () => setStep({ name: 'email' });

  switch (step.name) {
    case 'password':
      return (
        <Form busy={action.busy} submit="Sign in" onBack={back}
          onSubmit={({ password }) => answer(() => medplum.startLogin({ email: step.email, password, projectId: config.projectId }))}>
          <p>{step.email}</p>
          <label>Password<input name="password" type="password" autoComplete="current-password" required autoFocus /></label>
        </Form>
      );
    case 'mfa':
      return (
        <Form busy={action.busy} submit={step.enroll ? 'Enroll' : 'Verify'} onBack={back}
          onSubmit={({ token }) => answer(() => sendMfaCode(medplum, step, token))}>
          {step.enroll && <img src={step.qrCode} alt="QR code for your authenticator app" width={160} />}
          {!step.enroll && <p>Enter the code from your authenticator app.</p>}
          <label>MFA code<input name="token" inputMode="numeric" autoComplete="one-time-code" required autoFocus /></label>
        </Form>
      );
    case 'project':
      return (
        <fieldset className="stack" disabled={action.busy}>
          <legend>Choose a profile</legend>
          {step.memberships.map(({ id, project, profile }) => (
            <button key={id} type="button" onClick={() => answer(() => medplum.post('auth/profile', { login: step.login, profile: id }))}>
              {project?.display} as {profile?.display}
            </button>
          ))}
          <button type="button" className="secondary" onClick={back}>Back</button>
        </fieldset>
      );
    default:
      return (
        <>
          {children?.(answer)}
          <Form busy={action.busy} submit="Next" onSubmit={({ email }) => answer(() => medplum.post('auth/method', { email }), { name: 'password', email })}>
            <label>Email<input name="email" type="email" autoComplete="username" required autoFocus /></label>
          </Form>
        </>
      );
  }
}

type FormProps = { busy: boolean; submit: string; onSubmit: (fields: Record<string, string>) => void; onBack?: () => void; children: ReactNode };

function Form({ busy, submit, onSubmit, onBack, children }: FormProps) {
  return (
    <form action={(data) => onSubmit(Object.fromEntries(data) as Record<string, string>)}>
      <fieldset className="stack" disabled={busy}>
        {children}
        <button type="submit">{submit}</button>
        {onBack && <button type="button" className="secondary" onClick={onBack}>Back</button>}
      </fieldset>
    </form>
  );
}
