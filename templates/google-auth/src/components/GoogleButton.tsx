import { normalizeErrorString } from '@medplum/core';
import { useEffect, useEffectEvent, useRef } from 'react';
import { renderGoogleButton } from '../google.ts';

interface GoogleButtonProps {
  readonly googleClientId: string;
  readonly busy: boolean;
  readonly onCredential: (credential: string) => void;
  readonly onError: (message: string) => void;
}

/** Google's own "Sign in with Google" button (Google draws it, in an iframe, inside this element). */
export function GoogleButton({ googleClientId, busy, onCredential, onError }: GoogleButtonProps) {
  const container = useRef<HTMLDivElement>(null);
  const handleCredential = useEffectEvent(onCredential);
  const handleError = useEffectEvent(onError);

  useEffect(() => {
    const parent = container.current;
    if (!parent) {
      return;
    }
    const unmounted = new AbortController();
    renderGoogleButton(parent, googleClientId, (credential) => handleCredential(credential), unmounted.signal).catch(
      (err: unknown) => handleError(normalizeErrorString(err))
    );
    return () => {
      unmounted.abort();
      parent.replaceChildren();
    };
  }, [googleClientId]);

  // Google's button is an iframe of fixed height: reserve its space so the page does not jump.
  return <div ref={container} style={{ minHeight: 44 }} inert={busy} aria-busy={busy} />;
}
