import { getStatus, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { networkErrorCode } from './fetch.ts';
import { handle, type PatientSummary } from './handler.ts';
import { createMedplum } from './medplum.ts';

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
  if (err instanceof ConfigError) {
    return err.message;
  }
  const status = err instanceof OperationOutcomeError ? getStatus(err.outcome) : undefined;
  if (status === 401) {
    return (
      `Medplum at ${config?.baseUrl} refused the credentials of client ${config?.clientId} (401 Unauthorized). ` +
      "Check MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET (Project Admin > Clients), and any IP rules in the client's AccessPolicy."
    );
  }
  if (status === 403) {
    return 'Medplum refused search Patient: the client\'s AccessPolicy does not allow it. Allow "search" on Patient in the policy attached to the client.';
  }
  const networkError = networkErrorCode(err);
  if (networkError) {
    return `Could not reach Medplum at ${config?.baseUrl} (${networkError}). Check MEDPLUM_BASE_URL and your network.`;
  }
  return `Medplum request failed: ${normalizeErrorString(err)}`;
}
