/**
 * Issue 9's budgets, for every starter as the built bin writes it (bench/lines.ts counts the same
 * way for `npm run bench`): app code within its UI's budget, no more lines of tests and test helpers
 * than of app, and no shipped fake over 100 lines.
 */
import { describe, expect, it } from 'vitest';
import { BUDGET, measureStarter, STARTERS } from '../../bench/lines.ts';

describe('starter sizes', () => {
  it.each(STARTERS.map((starter) => ({ starter, name: 'ui' in starter ? `${starter.method} --ui ${starter.ui}` : starter.method })))(
    '$name',
    ({ starter }) => {
      const size = measureStarter(starter);
      expect(size.appLines).toBeGreaterThan(50); // it counted real files
      if (size.appBudget !== undefined) {
        expect(size.appLines).toBeLessThanOrEqual(size.appBudget);
      }
      expect(size.testLines).toBeGreaterThan(0);
      expect(size.testLines).toBeLessThanOrEqual(size.appLines);
      expect(size.largestFake?.lines ?? 0).toBeLessThanOrEqual(BUDGET.fakeLines);
    },
  );
});
