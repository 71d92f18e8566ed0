import type { MedplumClient } from '@medplum/core';
import { loadConfig } from './config.ts';
import { createMedplum } from './medplum.ts';

export interface HandlerEvent {
  /** How many of the most recently updated Patients to list: 1 to 20, default 5. */
  count?: number;
}

/** Counts and IDs only: nothing that identifies a person. */
export interface PatientSummary {
  total: number | undefined;
  newest: { id: string; lastUpdated: string | undefined }[];
}

/** The parts of the FHIR search Bundle that the handler reads. */
interface PatientBundle {
  total?: number;
  entry?: { resource?: { id?: string; meta?: { lastUpdated?: string } } }[];
}

/**
 * One invocation's work: a summary of the project's Patients.
 *
 * Stateless: each request carries the client's Basic credentials, so there is no token to obtain,
 * cache or renew between invocations.
 */
export async function handle(event: HandlerEvent, medplum: MedplumClient): Promise<PatientSummary> {
  const count = Math.min(Math.max(Math.trunc(event.count ?? 5), 1), 20);
  const bundle: PatientBundle = await medplum.search('Patient', {
    _count: String(count),
    _sort: '-_lastUpdated',
    _summary: 'true',
    _total: 'accurate',
  });
  return {
    total: bundle.total,
    newest: (bundle.entry ?? []).flatMap(({ resource }) =>
      resource?.id ? [{ id: resource.id, lastUpdated: resource.meta?.lastUpdated }] : []
    ),
  };
}

/**
 * The entry point for a serverless platform or webhook runner (e.g. an AWS Lambda `handler`).
 * It reads the configuration from the environment on each call.
 */
export async function handler(event: HandlerEvent = {}): Promise<PatientSummary> {
  return handle(event, createMedplum(loadConfig(process.env)));
}
