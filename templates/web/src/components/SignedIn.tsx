import { getDisplayString, normalizeErrorString, type ProfileResource } from '@medplum/core';
import { useMedplum, useSearchResources } from '@medplum/react-hooks';
import type { Action } from '../useAction.ts';

/** Who is signed in, to which project; the latest patients their access policy lets them see; sign-out. */
export function SignedIn({ profile, action }: { readonly profile: ProfileResource; readonly action: Action }) {
  const medplum = useMedplum();
  const [patients, , outcome] = useSearchResources('Patient', { _count: 5, _sort: '-_lastUpdated' });
  // Revokes the session on the server, and forgets it here even when the server cannot be reached.
  const signOut = () => action.run(() => medplum.signOut().finally(() => medplum.clear()));
  return (
    <div className="stack">
      <p>Signed in as <strong>{getDisplayString(profile)}</strong> ({medplum.getProject()?.name})</p>
      <h2>Patients</h2>
      {patients ? (
        <ul>{patients.map((patient) => <li key={patient.id}>{getDisplayString(patient)}</li>)}</ul>
      ) : (
        <p role="status">{outcome ? normalizeErrorString(outcome) : 'Loading…'}</p>
      )}
      <button type="button" disabled={action.busy} onClick={signOut}>Sign out</button>
    </div>
  );
}
