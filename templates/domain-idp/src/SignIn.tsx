// The email decides: Medplum's auth/method sends users of a domain with its own identity provider there.
export { LoginFlow as SignIn } from './components/LoginFlow.tsx';
