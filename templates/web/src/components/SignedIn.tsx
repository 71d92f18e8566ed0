import { getDisplayString } from '@medplum/core';
import type { ProfileResource } from '@medplum/core';

interface SignedInProps {
  readonly profile: ProfileResource;
  readonly projectName: string | undefined;
  readonly busy: boolean;
  readonly onSignOut: () => void;
}

export function SignedIn({ profile, projectName, busy, onSignOut }: SignedInProps) {
  return (
    <div className="stack">
      <p>
        Signed in as <strong>{getDisplayString(profile)}</strong>
        {projectName && <span className="muted"> ({projectName})</span>}
      </p>
      <button type="button" disabled={busy} onClick={onSignOut}>
        Sign out
      </button>
    </div>
  );
}
