import { View } from 'react-native';
import { GoogleButton } from './GoogleButton.tsx';
import { PasswordFields } from './PasswordFields.tsx';
import { SignInCard } from './SignInCard.tsx';
import { styles } from './styles.ts';

/**
 * Google above the email and password, as in Medplum's own sign-in form; then an MFA code or a project
 * when Medplum asks. auth/google takes the app's client ID from MedplumClient, so the prop goes unused.
 */
export function SignIn(_props: { readonly clientId: string }) {
  return (
    <SignInCard>
      {(run, busy) => (
        <>
          <GoogleButton run={run} busy={busy} />
          <View style={styles.gap} />
          <PasswordFields run={run} busy={busy} />
        </>
      )}
    </SignInCard>
  );
}
