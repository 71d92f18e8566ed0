import { formatHumanName, getDisplayString, type ProfileResource } from '@medplum/core';
import { useMedplum, useSearchResources } from '@medplum/react-hooks';
import { Button, Text, View } from 'react-native';
import { styles } from './styles.ts';

export function SignedIn({ profile }: { readonly profile: ProfileResource }) {
  const medplum = useMedplum();
  const [patients, loading, outcome] = useSearchResources('Patient', { _count: 5, _sort: '-_lastUpdated' });
  return (
    <View style={styles.card}>
      <Text style={styles.title}>Signed in as {getDisplayString(profile)}</Text>
      <Text style={styles.label}>Patients</Text>
      {loading && <Text>Loading…</Text>}
      {outcome && <Text style={styles.error}>{getDisplayString(outcome)}</Text>}
      {patients?.map((p) => <Text key={p.id}>{p.name?.[0] ? formatHumanName(p.name[0]) : p.id}</Text>)}
      {patients?.length === 0 && <Text>No patients yet.</Text>}
      <View style={styles.gap} />
      <Button title="Sign out" onPress={() => void medplum.signOut()} />
    </View>
  );
}
