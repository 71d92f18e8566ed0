import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { setEnvLine } from '../src/rotate.js';

describe('setEnvLine', () => {
  it('replaces one entry and keeps every other line, comments included', () => {
    const text = "# comment\nMEDPLUM_BASE_URL='https://x/'\nMEDPLUM_CLIENT_SECRET='old'\nPORT='3000'\n";
    const next = setEnvLine(text, 'MEDPLUM_CLIENT_SECRET', 'n3w$#"\'');
    expect(next).toBe("# comment\nMEDPLUM_BASE_URL='https://x/'\nMEDPLUM_CLIENT_SECRET=`n3w$#\"'`\nPORT='3000'\n");
    expect(parseEnv(next)).toEqual({ MEDPLUM_BASE_URL: 'https://x/', MEDPLUM_CLIENT_SECRET: 'n3w$#"\'', PORT: '3000' });
  });

  it('replaces a quoted value that spans lines, whole', () => {
    const text = "A='1'\nMEDPLUM_CLIENT_SECRET='line one\nline two'\nB='2'\n";
    expect(parseEnv(setEnvLine(text, 'MEDPLUM_CLIENT_SECRET', 'new'))).toEqual({ A: '1', MEDPLUM_CLIENT_SECRET: 'new', B: '2' });
  });

  it('appends the entry when it is missing', () => {
    expect(setEnvLine("A='1'", 'MEDPLUM_CLIENT_SECRET', 's')).toBe("A='1'\nMEDPLUM_CLIENT_SECRET='s'\n");
    expect(setEnvLine('', 'MEDPLUM_CLIENT_SECRET', 's')).toBe("MEDPLUM_CLIENT_SECRET='s'\n");
  });
});
