/**
 * Driving in-process prompts on @inquirer/testing's screen. A test file imports
 * '@inquirer/testing/vitest' itself, first, before anything that loads the prompts.
 */
import { screen } from '@inquirer/testing/vitest';

/** Waits until `pattern` is on the screen; fails, showing the screen, if it never comes. */
export async function waitFor(pattern: RegExp): Promise<void> {
  for (let i = 0; !pattern.test(screen.getScreen()); i++) {
    if (i > 50) {
      throw new Error(`${pattern} never appeared:\n${screen.getScreen()}`);
    }
    await screen.next();
  }
}

/** Answers the admin sign-in's first two questions. */
export async function typeEmailAndPassword(user: { readonly email: string; readonly password: string }): Promise<void> {
  await waitFor(/Medplum admin email/);
  screen.type(user.email);
  screen.keypress('enter');
  await waitFor(/Password/);
  screen.type(user.password);
  screen.keypress('enter');
}
