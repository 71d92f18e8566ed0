import { Button, Text, Title } from '@mantine/core';
import { Document, Logo, useMedplum } from '@medplum/react';
import { showError } from './showError.ts';

const env = import.meta.env;

/**
 * Sends the browser to your identity provider, whose redirect URI is Medplum's {baseUrl}auth/external.
 * Medplum redeems the IdP's code with the IdP client secret it keeps in the ClientApplication, then
 * sends the browser back here with its own code (see redeemReturnCode.ts).
 */
export function SignInPage() {
  const medplum = useMedplum();
  const ready = env.VITE_IDP_AUTHORIZE_URL && env.VITE_IDP_CLIENT_ID && env.VITE_MEDPLUM_CLIENT_ID;

  async function signIn(): Promise<void> {
    // The PKCE challenge travels in `state` only: Medplum cannot finish PKCE with the IdP (it would
    // send this challenge as the verifier), so it is left off the IdP's URL (`false`).
    const login = await medplum.ensureCodeChallenge({
      clientId: env.VITE_MEDPLUM_CLIENT_ID,
      projectId: env.VITE_MEDPLUM_PROJECT_ID || undefined,
      redirectUri: `${window.location.origin}/`,
    });
    const callback = `${medplum.getBaseUrl()}auth/external`;
    await medplum.signInWithExternalAuth(env.VITE_IDP_AUTHORIZE_URL, env.VITE_IDP_CLIENT_ID, callback, login, false);
  }

  return (
    <Document width={400}>
      <Logo size={32} />
      <Title order={3} my="md">
        Sign in
      </Title>
      {ready ? (
        <Button fullWidth onClick={() => signIn().catch(showError)}>
          Sign in with SSO
        </Button>
      ) : (
        <Text c="red">Fill in VITE_MEDPLUM_CLIENT_ID, VITE_IDP_AUTHORIZE_URL and VITE_IDP_CLIENT_ID in .env, then restart the dev server.</Text>
      )}
    </Document>
  );
}
