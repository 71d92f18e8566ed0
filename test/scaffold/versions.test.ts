import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { VERSIONS } from '../../src/scaffold/versions.js';

describe('the version map', () => {
  it('pins generated projects to the @medplum/core major this CLI ships with', async () => {
    const installed = JSON.parse(
      await readFile(new URL('../../node_modules/@medplum/core/package.json', import.meta.url), 'utf8'),
    ).version as string;
    const pin = VERSIONS['@medplum/core'];
    expect(pin).toMatch(/^\^5\.\d+\.\d+$/);
    const [major, minor, patch] = pin.slice(1).split('.').map(Number);
    const [iMajor, iMinor, iPatch] = installed.split('.').map(Number);
    expect(iMajor).toBe(major);
    // The pin is a floor: the installed version must satisfy it.
    expect(iMinor! > minor! || (iMinor === minor && iPatch! >= patch!)).toBe(true);
  });

  it('uses caret or tilde ranges only', () => {
    for (const range of Object.values(VERSIONS)) {
      expect(range).toMatch(/^[\^~]\d+\.\d+\.\d+$/);
    }
  });
});
