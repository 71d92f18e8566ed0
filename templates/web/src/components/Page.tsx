import { Suspense } from 'react';
import type { ReactNode } from 'react';
import { configProblem } from '../config.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

/**
 * The page: `children` (the sign-in, once the configuration is complete; it may suspend while the stored
 * session loads), or else the one line that says which variable is missing.
 */
export function Page({ children }: { readonly children: ReactNode }) {
  return (
    <main className="app">
      <h1>Medplum sign-in</h1>
      {children ? (
        <Suspense fallback={<p role="status">Loading…</p>}>{children}</Suspense>
      ) : (
        <ErrorMessage message={configProblem} />
      )}
    </main>
  );
}
