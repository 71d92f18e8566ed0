/**
 * src/guide/validate.ts: the pure checks of user values, each refusal word for word (it is the one
 * line a user reads), and the boundaries of each rule.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  checkBaseUrl,
  checkPackageName,
  formatTargetDir,
  isLoopbackHost,
  isValidPackageName,
  toValidPackageName,
  uuidWarning,
} from '../../src/guide/validate.js';

describe('package names', () => {
  it.each(['my-app', 'a', 'app.v2', 'app_2', '~tilde', '@scope/app', '@my-org/my.app_1', 'x'.repeat(214)])('%s is valid', (name) => {
    expect(isValidPackageName(name)).toBe(true);
  });

  it.each(['My-App', '.hidden', '_private', 'has space', 'a/b', '@scope', '@/app', 'x'.repeat(215), '', 'app!', 'über'])('%j is not', (name) => {
    expect(isValidPackageName(name)).toBe(false);
  });

  it.each([
    ['My App', 'my-app'],
    ['  Patient   Portal  ', 'patient-portal'],
    ['..hidden', 'hidden'],
    ['__init', 'init'],
    ['a!!b??c', 'a-b-c'],
    ['--x--', 'x'],
    ['a~b', 'a~b'],
    ['app.v2', 'app-v2'],
    ['über app', 'ber-app'],
    ['!!!', 'medplum-app'],
    ['', 'medplum-app'],
  ])('toValidPackageName(%j) is %j', (name, valid) => {
    expect(toValidPackageName(name)).toBe(valid);
    expect(isValidPackageName(valid)).toBe(true);
  });

  it('checkPackageName passes a valid name through, and refuses another naming where it came from and a valid suggestion', () => {
    expect(checkPackageName('my-app', 'the directory name')).toBe('my-app');
    expect(() => checkPackageName('My App', 'the directory name')).toThrow(
      new UsageError('"My App" (the directory name) is not a valid npm package name. Try "my-app": lowercase letters, digits, - and _.'),
    );
  });
});

describe('formatTargetDir', () => {
  it.each([
    ['my-app', 'my-app'],
    ['  my-app  ', 'my-app'],
    ['my-app/', 'my-app'],
    ['my-app\\\\', 'my-app'],
    ['a/b//', 'a/b'],
    ['/', '/'],
    ['  ', ''],
  ])('%j is %j', (dir, formatted) => {
    expect(formatTargetDir(dir)).toBe(formatted);
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '[::1]'])('%s is', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['localhost.example.com', 'mylocalhost', '128.0.0.1', '127.0.0', '127.0.0.1.example.com', '10.0.0.1', '[::2]', 'x127.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('checkBaseUrl', () => {
  it.each([
    ['https://api.medplum.com', 'https://api.medplum.com/'],
    ['  https://api.medplum.com/  ', 'https://api.medplum.com/'],
    ['https://example.com/medplum', 'https://example.com/medplum/'],
    ['http://localhost:8103', 'http://localhost:8103/'],
    ['http://127.0.0.1:8103/', 'http://127.0.0.1:8103/'],
    ['http://[::1]:8103', 'http://[::1]:8103/'],
  ])('%s is %s, without a warning', (value, url) => {
    expect(checkBaseUrl(value)).toEqual({ url, warning: undefined });
  });

  it('plain http to another host is allowed with a warning naming it', () => {
    expect(checkBaseUrl('http://medplum.internal:8103')).toEqual({
      url: 'http://medplum.internal:8103/',
      warning:
        '--base-url uses plain http to medplum.internal: credentials and tokens would cross the network unencrypted. Use https outside localhost.',
    });
  });

  it.each([
    ['not a url', '--base-url "not a url" is not a URL. Pass the server\'s address, e.g. https://api.medplum.com/'],
    ['ftp://example.com/', '--base-url must be http or https, not ftp. Pass e.g. https://api.medplum.com/'],
    ['https://user:pw@example.com/', '--base-url must not contain a user name or password. Pass credentials with --client-id and --client-secret.'],
    ['https://user@example.com/', '--base-url must not contain a user name or password. Pass credentials with --client-id and --client-secret.'],
    ['https://example.com/?a=1', '--base-url must not have a query or fragment. Pass the server root, e.g. https://api.medplum.com/'],
    ['https://example.com/#top', '--base-url must not have a query or fragment. Pass the server root, e.g. https://api.medplum.com/'],
  ])('%s is refused in one line', (value, message) => {
    expect(() => checkBaseUrl(value)).toThrow(new UsageError(message));
  });

  it('names the setting it checks', () => {
    expect(() => checkBaseUrl('nope', 'MEDPLUM_BASE_URL')).toThrow(/^MEDPLUM_BASE_URL "nope" is not a URL/);
  });
});

describe('uuidWarning', () => {
  it.each(['', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D'])('%j: no warning', (value) => {
    expect(uuidWarning(value, '--client-id')).toBeUndefined();
  });

  it.each(['my client', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4', 'x0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4dx', '0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d'])(
    '%j: a warning naming the flag and the value',
    (value) => {
      expect(uuidWarning(value, '--project-id')).toBe(
        `--project-id ${JSON.stringify(value)} is not a UUID; Medplum ids are UUIDs. Check that you copied the ID, not the name.`,
      );
    },
  );
});
