import { useMedplum } from '@medplum/react-hooks';
import { useState } from 'react';
import { Button, Text, TextInput } from 'react-native';
import { signInWithPassword } from './password.ts';
import type { Run } from './SignInCard.tsx';
import { styles } from './styles.ts';

/** Email and password, sent to Medplum's auth/login with a PKCE S256 challenge. */
export function PasswordFields({ run, busy, email: given = '' }: { readonly run: Run; readonly busy: boolean; readonly email?: string }) {
  const medplum = useMedplum();
  const [email, setEmail] = useState(given);
  const [password, setPassword] = useState('');
  return (
    <>
      <Text style={styles.label}>Email</Text>
      <TextInput aria-label="Email" style={styles.input} value={email} onChangeText={setEmail} inputMode="email" autoCapitalize="none" autoComplete="email" />
      <Text style={styles.label}>Password</Text>
      <TextInput aria-label="Password" style={styles.input} value={password} onChangeText={setPassword} secureTextEntry autoComplete="current-password" />
      <Button title="Sign in" disabled={busy} onPress={() => run(() => signInWithPassword(medplum, email, password))} />
    </>
  );
}
