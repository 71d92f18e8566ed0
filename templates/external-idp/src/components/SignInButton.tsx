interface SignInButtonProps {
  /** Who the user signs in with, e.g. "Okta" or "SSO". */
  readonly provider: string;
  readonly busy: boolean;
  readonly onSignIn: () => void;
}

export function SignInButton({ provider, busy, onSignIn }: SignInButtonProps) {
  return (
    <div className="stack">
      <p>Sign in with your organization's account. You will come back here once you are signed in.</p>
      <button type="button" disabled={busy} onClick={onSignIn}>
        Sign in with {provider}
      </button>
    </div>
  );
}
