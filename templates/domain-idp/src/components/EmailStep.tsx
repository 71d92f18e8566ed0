import { useState } from 'react';
import type { FormEvent } from 'react';

interface EmailStepProps {
  readonly busy: boolean;
  readonly initialEmail: string;
  readonly onNext: (email: string) => void;
}

/** Step one: the email alone. Its domain decides where the user signs in. */
export function EmailStep({ busy, initialEmail, onNext }: EmailStepProps) {
  const [email, setEmail] = useState(initialEmail);

  function handleSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    onNext(email.trim());
  }

  return (
    <form className="stack" onSubmit={handleSubmit} aria-busy={busy}>
      <label>
        Email
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
      </label>
      <button type="submit" disabled={busy}>
        Next
      </button>
    </form>
  );
}
