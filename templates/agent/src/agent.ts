import { setTimeout as sleep } from 'node:timers/promises';
import { getStatus, type MedplumClient, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import type { Device, Reference } from '@medplum/fhirtypes';
import { networkErrorCode } from './fetch.ts';
import { SignInError } from './sign-in.ts';
import { type Reading, toObservation } from './sensor.ts';

/** Medplum answered 403: the client's AccessPolicy does not allow this. The message is one line. */
export class AccessDeniedError extends Error {
  override name = 'AccessDeniedError';
}

/** Runs a call with a client that is signed in, signing in again first if the method needs to. */
export interface SignedIn {
  run<T>(call: (medplum: MedplumClient) => Promise<T>): Promise<T>;
}

export interface AgentOptions {
  login: SignedIn;
  readSensor: () => Promise<Reading>;
  /** The Device that takes the readings, referenced from each Observation. */
  device?: Reference<Device>;
  intervalSeconds: number;
  /** Send one reading, then return. Any failure is thrown. */
  once: boolean;
  /** Aborting stops the loop between two readings, never in the middle of one. */
  signal: AbortSignal;
  log: Pick<Console, 'log' | 'error'>;
}

/** Reads `Device/<id>` once, to check that it exists and that the client may read it. */
export async function loadDevice(login: SignedIn, deviceId: string): Promise<Reference<Device>> {
  const device = await login.run((medplum) =>
    explainForbidden('read', 'Device', () => medplum.readResource('Device', deviceId))
  );
  return { reference: `Device/${device.id}` };
}

/** Posts one reading now, then one every interval until `signal` aborts (or once, with `once`). */
export async function runAgent(options: AgentOptions): Promise<void> {
  const { intervalSeconds, once, signal, log } = options;
  while (!signal.aborted) {
    try {
      await sendReading(options);
    } catch (err) {
      if (once || !isTransient(err)) {
        throw err;
      }
      log.error(`Reading not sent (${normalizeErrorString(err)}); next try in ${intervalSeconds} s.`);
    }
    if (once) {
      return;
    }
    try {
      await sleep(intervalSeconds * 1000, undefined, { signal });
    } catch {
      return; // aborted while waiting
    }
  }
}

async function sendReading({ login, readSensor, device, log }: AgentOptions): Promise<void> {
  const reading = await readSensor();
  const created = await login.run((medplum: MedplumClient) =>
    explainForbidden('create', 'Observation', () => medplum.createResource(toObservation(reading, device)))
  );
  log.log(`Observation/${created.id}: ${reading.celsius} Cel at ${reading.takenAt.toISOString()}`);
}

/** Turns a 403 into a one-line AccessDeniedError that names the interaction Medplum refused. */
async function explainForbidden<T>(interaction: string, resourceType: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof OperationOutcomeError && getStatus(err.outcome) === 403) {
      throw new AccessDeniedError(
        `Medplum refused ${interaction} ${resourceType}: the client's AccessPolicy does not allow it. ` +
          `Allow "${interaction}" on ${resourceType} (see access-policy.json) and attach the policy to the client.`,
        { cause: err }
      );
    }
    throw err;
  }
}

/**
 * Worth another try at the next interval: the network, a Medplum outage, or rate limiting, also
 * while signing in again. A refused sign-in (a wrong key, say) is not.
 */
function isTransient(err: unknown): boolean {
  const cause = err instanceof SignInError ? err.cause : err;
  if (cause instanceof OperationOutcomeError) {
    const status = getStatus(cause.outcome);
    return status >= 500 || status === 429;
  }
  return networkErrorCode(cause) !== undefined;
}
