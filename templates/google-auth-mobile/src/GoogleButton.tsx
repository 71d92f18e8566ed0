import { useMedplum } from '@medplum/react-hooks';
import { useIdTokenAuthRequest } from 'expo-auth-session/providers/google';
import { useEffect, useEffectEvent } from 'react';
import { Button, Platform, Text } from 'react-native';
import { googleClientIdFor, signInWithGoogle } from './google.ts';
import type { Run } from './SignInCard.tsx';
import { styles } from './styles.ts';

// Expo inlines EXPO_PUBLIC_ variables at build time, and only where they are written out in full.
const googleClientId = googleClientIdFor(Platform.OS, {
  web: process.env.EXPO_PUBLIC_GOOGLE_WEB_CLIENT_ID,
  ios: process.env.EXPO_PUBLIC_GOOGLE_IOS_CLIENT_ID,
  android: process.env.EXPO_PUBLIC_GOOGLE_ANDROID_CLIENT_ID,
});

type Props = { readonly run: Run; readonly busy: boolean };

/** "Sign in with Google", when this platform has its Google client ID. */
export function GoogleButton(props: Props) {
  if (!googleClientId) {
    const name = Platform.OS === 'ios' || Platform.OS === 'android' ? Platform.OS.toUpperCase() : 'WEB';
    return <Text style={styles.error}>Set EXPO_PUBLIC_GOOGLE_{name}_CLIENT_ID in .env to sign in with Google here.</Text>;
  }
  return <GoogleSignIn {...props} googleClientId={googleClientId} />;
}

/**
 * Google's page in the system browser (a popup on the web), through expo-auth-session; the ID token it
 * returns, signed for this platform's client ID, is the credential Medplum checks.
 */
function GoogleSignIn({ run, busy, googleClientId }: Props & { readonly googleClientId: string }) {
  const medplum = useMedplum();
  const [request, response, promptAsync] = useIdTokenAuthRequest({ clientId: googleClientId });
  const onResponse = useEffectEvent((result: NonNullable<typeof response>) => {
    if (result.type === 'success') {
      run(() => signInWithGoogle(medplum, googleClientId, result.params.id_token as string));
    } else if (result.type === 'error') {
      run(() => Promise.reject(new Error(result.error?.description ?? result.error?.message ?? 'Google sign-in failed.')));
    }
  });
  useEffect(() => {
    if (response) {
      onResponse(response);
    }
  }, [response]);
  return <Button title="Sign in with Google" disabled={!request || busy} onPress={() => void promptAsync()} />;
}
