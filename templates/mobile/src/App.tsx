import { MedplumProvider, useMedplumContext, useMedplumProfile } from '@medplum/react-hooks';
import { ActivityIndicator, Text, View } from 'react-native';
import { config, configProblem } from './config.ts';
import { medplum } from './medplum.ts';
import { SignedIn } from './SignedIn.tsx';
import { SignIn } from './SignIn.tsx';
import { styles } from './styles.ts';

export function App() {
  return (
    <View style={styles.page}>
      {medplum && config ? (
        <MedplumProvider medplum={medplum}>
          <Home clientId={config.clientId} />
        </MedplumProvider>
      ) : (
        <Text style={styles.error}>{configProblem}</Text>
      )}
    </View>
  );
}

/** The stored session is read asynchronously (secure store): wait for it before choosing a screen. */
function Home({ clientId }: { readonly clientId: string }) {
  const { loading } = useMedplumContext();
  const profile = useMedplumProfile();
  if (loading) {
    return <ActivityIndicator />;
  }
  return profile ? <SignedIn profile={profile} /> : <SignIn clientId={clientId} />;
}
