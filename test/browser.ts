/** Debian's Chromium, driven by playwright-core, for the web starters' end-to-end tests. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Chromium tests are skipped on a machine without it, except in CI, where its absence fails them. */
export const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where Google Identity Services comes from: the tests answer it with FAKE_GIS (page.route). */
export const GIS_SCRIPT = 'https://accounts.google.com/gsi/client';

/**
 * A stand-in for Google Identity Services with the two calls Medplum's GoogleButton makes: its button
 * hands the registered callback `window.fakeGoogle.credential`, which the test sets.
 */
export const FAKE_GIS = `
window.fakeGoogle = { credential: '' };
window.google = { accounts: { id: (() => {
  let callback;
  return {
    initialize(options) { callback = options.callback; },
    renderButton(parent) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Sign in with Google';
      button.onclick = () => callback({ credential: window.fakeGoogle.credential, select_by: 'btn' });
      parent.append(button);
    },
  };
})() } };
`;
