import { useMedplum } from '@medplum/react-hooks';
import { useState } from 'react';
import { Button, Text, TextInput } from 'react-native';
import type { Step } from './auth.ts';
import { domainSignInUrl } from './domain.ts';
import { signInAtIdp } from './openSso.ts';
import { PasswordFields } from './PasswordFields.tsx';
import { redirectUri } from './redirect.ts';
import { SignInCard } from './SignInCard.tsx';
import { styles } from './styles.ts';

/** The email first: its domain's identity provider in the system browser, or else a password. */
export function SignIn({ clientId }: { readonly clientId: string }) {
  const medplum = useMedplum();
  const [email, setEmail] = useState('');
  const [askPassword, setAskPassword] = useState(false);

  async function next(): Promise<Step | void> {
    const url = await domainSignInUrl(medplum, email, { clientId, redirectUri });
    if (url) {
      return signInAtIdp(medplum, url);
    }
    setAskPassword(true);
  }

  return (
    <SignInCard>
      {(run, busy) =>
        askPassword ? (
          <PasswordFields run={run} busy={busy} email={email} />
        ) : (
          <>
            <Text style={styles.label}>Email</Text>
            <TextInput aria-label="Email" style={styles.input} value={email} onChangeText={setEmail} inputMode="email" autoCapitalize="none" autoComplete="email" />
            <Button title="Next" disabled={busy} onPress={() => run(next)} />
          </>
        )
      }
    </SignInCard>
  );
}
