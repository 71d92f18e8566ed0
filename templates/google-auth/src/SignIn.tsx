import { useMedplum } from '@medplum/react-hooks';
import { GoogleButton } from './components/GoogleButton.tsx';
import { LoginFlow, type SignInProps } from './components/LoginFlow.tsx';

/** Google's button above the email, as in Medplum's SignInForm; auth/google checks Google's credential. */
export function SignIn(props: SignInProps) {
  const medplum = useMedplum();
  const { googleClientId, projectId } = props.config;
  const google = (googleCredential: string) => medplum.startGoogleLogin({ googleClientId, googleCredential, projectId });
  return (
    <LoginFlow {...props}>
      {(answer) => <GoogleButton googleClientId={googleClientId} onCredential={(c) => answer(() => google(c))} onError={props.action.setError} />}
    </LoginFlow>
  );
}
