import { normalizeErrorString } from '@medplum/core';
import { useMedplum } from '@medplum/react-hooks';
import { useState } from 'react';
import { Button, Text, TextInput, View } from 'react-native';
import { chooseProject, signInWithPassword, verifyMfa, type Step } from './auth.ts';
import { signInWithBrowser } from './browserSignIn.ts';
import { styles } from './styles.ts';

/** Email and password, then an MFA code or a project when Medplum asks; or Medplum's own page. */
export function SignIn({ clientId }: { readonly clientId: string }) {
  const medplum = useMedplum();
  const [step, setStep] = useState<Step>();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  function run(action: () => Promise<Step | void>): void {
    setBusy(true);
    setError(undefined);
    action()
      .then((next) => next && setStep(next))
      .catch((err: unknown) => setError(normalizeErrorString(err)))
      .finally(() => setBusy(false));
  }

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
    form = (
      <>
        <Text style={styles.label}>Email</Text>
        <TextInput aria-label="Email" style={styles.input} value={email} onChangeText={setEmail} inputMode="email" autoCapitalize="none" autoComplete="email" />
        <Text style={styles.label}>Password</Text>
        <TextInput aria-label="Password" style={styles.input} value={password} onChangeText={setPassword} secureTextEntry autoComplete="current-password" />
        <Button title="Sign in" disabled={busy} onPress={() => run(() => signInWithPassword(medplum, email, password))} />
        <View style={styles.gap} />
        <Button title="Open Medplum sign-in" disabled={busy} onPress={() => run(() => signInWithBrowser(medplum, clientId))} />
      </>
    );
  }
  return (
    <View style={styles.card}>
      <Text style={styles.title}>Sign in to Medplum</Text>
      {form}
      {error && <Text style={styles.error} role="alert">{error}</Text>}
    </View>
  );
}
