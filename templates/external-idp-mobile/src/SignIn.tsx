import { useMedplum } from '@medplum/react-hooks';
import { Button, Text } from 'react-native';
import { idpAuthorizeUrl, parseIdpConfig } from './idp.ts';
import { signInAtIdp } from './openSso.ts';
import { providerName } from './providerName.ts';
import { redirectUri } from './redirect.ts';
import { SignInCard } from './SignInCard.tsx';
import { withLoginState } from './sso.ts';
import { styles } from './styles.ts';

// Expo inlines EXPO_PUBLIC_ variables at build time, and only where they are written out in full.
const idp = parseIdpConfig({
  EXPO_PUBLIC_IDP_AUTHORIZE_URL: process.env.EXPO_PUBLIC_IDP_AUTHORIZE_URL,
  EXPO_PUBLIC_IDP_CLIENT_ID: process.env.EXPO_PUBLIC_IDP_CLIENT_ID,
});

/** One button: your identity provider's page in the system browser, back through Medplum, signed in. */
export function SignIn({ clientId }: { readonly clientId: string }) {
  const medplum = useMedplum();
  if (!idp.ok) {
    return <Text style={styles.error}>{idp.problem}</Text>;
  }
  const { config } = idp;
  const signIn = async () => signInAtIdp(medplum, await withLoginState(medplum, idpAuthorizeUrl(config, medplum.getBaseUrl()), { clientId, redirectUri }));
  return (
    <SignInCard>
      {(run, busy) => (
        <>
          <Text>Sign in with your organization's account. You will come back here once you are signed in.</Text>
          <Button title={`Sign in with ${providerName(config.authorizeUrl)}`} disabled={busy} onPress={() => run(signIn)} />
        </>
      )}
    </SignInCard>
  );
}
