import { showNotification } from '@mantine/notifications';
import { normalizeErrorString } from '@medplum/core';

/** Shows what went wrong (a Medplum OperationOutcome, a network error) as a red notification. */
export function showError(err: unknown): void {
  showNotification({ color: 'red', message: normalizeErrorString(err) });
}
