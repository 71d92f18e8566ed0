import { Loading, useMedplumContext } from '@medplum/react';
import { HomePage } from './HomePage.tsx';
import { SignInPage } from './SignInPage.tsx';

export function App() {
  const { profile, loading } = useMedplumContext();
  if (loading) {
    return <Loading />;
  }
  return profile ? <HomePage profile={profile} /> : <SignInPage />;
}
