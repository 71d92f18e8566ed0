import type { MedplumClient } from '@medplum/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';

/**
 * Patient search parameters a caller may pass through. Anything else (`_include`, `_revinclude`,
 * chained searches, ...) is dropped, so callers can only ask what this endpoint means to answer.
 */
const PATIENT_SEARCH_PARAMS = ['name', 'family', 'given', 'birthdate', 'gender', 'identifier', '_count', '_offset'];

/** `GET /patients`: a FHIR Patient search with the caller's allowed parameters, run as `medplum` may. */
export function searchPatients(medplum: MedplumClient, query: URLSearchParams): Promise<Bundle<Patient>> {
  const params = new URLSearchParams();
  for (const [name, value] of query) {
    if (PATIENT_SEARCH_PARAMS.includes(name)) {
      params.append(name, value);
    }
  }
  return medplum.search('Patient', params);
}
