import { useState } from 'react';
import type { FormEvent } from 'react';

interface SignInFormProps {
  readonly busy: boolean;
  readonly onPasswordSignIn: (email: string, password: string) => void;
  readonly onRedirectSignIn: () => void;
}

export function SignInForm({ busy, onPasswordSignIn, onRedirectSignIn }: SignInFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  function handleSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    onPasswordSignIn(email, password);
  }

  return (
    <>
      <form className="stack" onSubmit={handleSubmit} aria-busy={busy}>
        <label>
          Email
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <p className="divider">or</p>
      <button type="button" className="secondary" disabled={busy} onClick={onRedirectSignIn}>
        Sign in with Medplum
      </button>
    </>
  );
}
