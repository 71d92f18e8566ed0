import { normalizeErrorString } from '@medplum/core';
import { useState, useTransition } from 'react';

/**
 * Runs the page's sign-in and sign-out steps: `busy` while one runs, and a failure becomes `error`,
 * the one line the page shows under the form. Starting a step clears the previous error.
 */
export function useAction(initialError?: string) {
  const [error, setError] = useState(initialError);
  const [busy, startTransition] = useTransition();

  function run(action: () => Promise<void>): void {
    setError(undefined);
    startTransition(async () => {
      try {
        await action();
      } catch (err) {
        setError(normalizeErrorString(err));
      }
    });
  }

  return { busy, error, setError, run };
}
