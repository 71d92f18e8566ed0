import { normalizeErrorString } from '@medplum/core';
import { useMedplum } from '@medplum/react-hooks';
import { useState, type ReactNode } from 'react';
import { Button, Text, TextInput, View } from 'react-native';
import { chooseProject, verifyMfa, type Step } from './auth.ts';
import { styles } from './styles.ts';

/** Starts a sign-in action: the card is busy meanwhile, then shows Medplum's next step or the error. */
export type Run = (action: () => Promise<Step | void>) => void;

/** The sign-in card: the method's own first screen (`children`), then what Medplum asks next: an MFA code, a project. */
export function SignInCard({ children }: { readonly children: (run: Run, busy: boolean) => ReactNode }) {
  const medplum = useMedplum();
  const [step, setStep] = useState<Step>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run: Run = (action) => {
    setBusy(true);
    setError(undefined);
    action()
      .then((next) => next && setStep(next))
      .catch((err: unknown) => setError(normalizeErrorString(err)))
      .finally(() => setBusy(false));
  };

  let form;
  if (step?.kind === 'mfa') {
    form = (
      <>
        <Text style={styles.label}>Code from your authenticator app</Text>
        <TextInput aria-label="Code from your authenticator app" style={styles.input} value={code} onChangeText={setCode} inputMode="numeric" autoComplete="one-time-code" />
        <Button title="Verify" disabled={busy} onPress={() => run(() => verifyMfa(medplum, step.login, code))} />
      </>
    );
  } else if (step?.kind === 'choose-project') {
    form = (
      <>
        <Text style={styles.label}>Choose a project</Text>
        {step.memberships.map((m) => (
          <Button key={m.id} title={m.label} disabled={busy} onPress={() => run(() => chooseProject(medplum, step.login, m.id))} />
        ))}
      </>
    );
  } else {
    form = children(run, busy);
  }
  return (
    <View style={styles.card}>
      <Text style={styles.title}>Sign in to Medplum</Text>
      {form}
      {error && <Text style={styles.error} role="alert">{error}</Text>}
    </View>
  );
}
