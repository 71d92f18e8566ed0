import { useMedplum } from '@medplum/react-hooks';
import { LoginFlow, type SignInProps } from './components/LoginFlow.tsx';

/**
 * This app's own form (Medplum's sign-in steps), or Medplum's sign-in page: it sends the browser back
 * with `?code=…` (OAuth2 authorization code with PKCE), which main.tsx redeems.
 */
export function SignIn(props: SignInProps) {
  const medplum = useMedplum();
  return (
    <LoginFlow {...props}>
      {() => (
        <button type="button" className="secondary" onClick={() => props.action.run(() => medplum.signInWithRedirect())}>
          Sign in with Medplum
        </button>
      )}
    </LoginFlow>
  );
}
