/** The unified diff of a plan, as --dry-run prints it (private values hidden, see plan.ts). */
import { createTwoFilesPatch } from 'diff';
import type { Change } from './plan.js';

export function unifiedDiff(changes: readonly Change[]): string {
  return changes
    .map(({ path, shown }) =>
      createTwoFilesPatch(shown.before === undefined ? '/dev/null' : `a/${path}`, `b/${path}`, shown.before ?? '', shown.after, undefined, undefined, {
        context: 3,
      })
        // jsdiff starts each file with a line of '=': not part of a unified diff, and noise between files.
        .replace(/^=+\n/, ''),
    )
    .join('');
}
