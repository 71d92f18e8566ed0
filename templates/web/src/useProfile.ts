import type { MedplumClient, ProfileResource } from '@medplum/core';
import { useCallback, useSyncExternalStore } from 'react';

/** The signed-in user's profile, re-read whenever the client reports a change (sign-in, sign-out). */
export function useProfile(medplum: MedplumClient): ProfileResource | undefined {
  const subscribe = useCallback(
    (onChange: () => void) => {
      medplum.addEventListener('change', onChange);
      return () => medplum.removeEventListener('change', onChange);
    },
    [medplum]
  );
  return useSyncExternalStore(subscribe, () => medplum.getProfile());
}
