import { useMedplum } from '@medplum/react-hooks';
import { Button, View } from 'react-native';
import { signInWithBrowser } from './browserSignIn.ts';
import { PasswordFields } from './PasswordFields.tsx';
import { SignInCard } from './SignInCard.tsx';
import { styles } from './styles.ts';

/** Email and password, then an MFA code or a project when Medplum asks; or Medplum's own page. */
export function SignIn({ clientId }: { readonly clientId: string }) {
  const medplum = useMedplum();
  return (
    <SignInCard>
      {(run, busy) => (
        <>
          <PasswordFields run={run} busy={busy} />
          <View style={styles.gap} />
          <Button title="Open Medplum sign-in" disabled={busy} onPress={() => run(() => signInWithBrowser(medplum, clientId))} />
        </>
      )}
    </SignInCard>
  );
}
