import type { SignedIn } from './agent.ts';
import type { Config } from './config.ts';
import { connect } from './medplum.ts';

/** Signs in once, so that a wrong secret or setting stops the agent at start-up, and says so on `log`. */
export async function signIn(config: Config, log: Pick<Console, 'log' | 'warn'>): Promise<SignedIn> {
  if (config.warning) {
    log.warn(config.warning);
  }
  const medplum = await connect(config);
  log.log(`Signed in to ${config.baseUrl} as client ${config.clientId} (secret from ${config.secretSource}).`);
  // MedplumClient signs in again by itself when the token expires: it holds the client credentials.
  return { run: (call) => call(medplum) };
}
