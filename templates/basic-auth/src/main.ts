import { getStatus, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { handle, type PatientSummary } from './handler.ts';
import { createMedplum, CredentialsRefusedError } from './medplum.ts';

// Runs the handler once, as a serverless platform would, and prints what it found.

let config: Config | undefined;
try {
  config = loadConfig(process.env);
  console.log(format(await handle({}, createMedplum(config))));
} catch (err) {
  console.error(describeFailure(err, config));
  process.exitCode = 1;
}

function format({ total, newest }: PatientSummary): string {
  const lines = [`Patients in the project: ${total ?? 'unknown'}.`];
  if (newest.length > 0) {
    lines.push('Most recently updated (ID, last updated):');
    lines.push(...newest.map(({ id, lastUpdated }) => `  ${id}  ${lastUpdated ?? ''}`.trimEnd()));
  }
  return lines.join('\n');
}

function describeFailure(err: unknown, config: Config | undefined): string {
  if (err instanceof ConfigError || err instanceof CredentialsRefusedError) {
    return err.message;
  }
  if (err instanceof OperationOutcomeError && getStatus(err.outcome) === 403) {
    return 'Medplum refused search Patient: the client\'s AccessPolicy does not allow it. Allow "search" on Patient in the policy attached to the client.';
  }
  if (err instanceof TypeError && err.cause instanceof Error) {
    const code = (err.cause as NodeJS.ErrnoException).code ?? err.cause.message;
    return `Could not reach Medplum at ${config?.baseUrl} (${code}). Check MEDPLUM_BASE_URL and your network.`;
  }
  return `Medplum request failed: ${normalizeErrorString(err)}`;
}
