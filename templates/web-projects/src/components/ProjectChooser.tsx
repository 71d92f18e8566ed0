import type { MembershipChoice } from '../auth.ts';

interface ProjectChooserProps {
  readonly memberships: readonly MembershipChoice[];
  readonly busy: boolean;
  readonly onChoose: (membershipId: string) => void;
  readonly onCancel: () => void;
}

/** Shown when the account belongs to several projects and no VITE_MEDPLUM_PROJECT_ID picks one. */
export function ProjectChooser({ memberships, busy, onChoose, onCancel }: ProjectChooserProps) {
  return (
    <fieldset className="stack" disabled={busy}>
      <legend>Choose a project</legend>
      <ul className="choices">
        {memberships.map((membership) => (
          <li key={membership.id}>
            <button type="button" className="choice" onClick={() => onChoose(membership.id)}>
              <span>{membership.project}</span>
              {membership.profile && <span className="muted"> as {membership.profile}</span>}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="secondary" onClick={onCancel}>
        Back
      </button>
    </fieldset>
  );
}
