import { useState } from 'react';
import type { FormEvent } from 'react';

interface PasswordStepProps {
  readonly email: string;
  readonly busy: boolean;
  readonly onSignIn: (password: string) => void;
  readonly onBack: () => void;
}

/** Step two, for emails without a domain-level identity provider: a Medplum password. */
export function PasswordStep({ email, busy, onSignIn, onBack }: PasswordStepProps) {
  const [password, setPassword] = useState('');

  function handleSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    onSignIn(password);
  }

  return (
    <form className="stack" onSubmit={handleSubmit} aria-busy={busy}>
      {/* Lets password managers match the saved login. */}
      <input type="email" name="email" autoComplete="username" value={email} readOnly hidden />
      <p>
        Signing in as <strong>{email}</strong>
      </p>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          autoFocus
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <button type="button" className="secondary" disabled={busy} onClick={onBack}>
        Use another email
      </button>
    </form>
  );
}
