import { normalizeErrorString } from '@medplum/core';
import { useState, useTransition } from 'react';

/** Runs a sign-in or sign-out step: `busy` meanwhile; a failure becomes `error`, until the next step starts. */
export function useAction(initialError?: string) {
  const [error, setError] = useState(initialError);
  const [busy, startTransition] = useTransition();
  function run(action: () => Promise<unknown>): void {
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

export type Action = ReturnType<typeof useAction>;
