/**
 * Test fixture: the population of the server the wire captures were recorded on (projects,
 * users, clients, seed resources), so recorded exchanges can be replayed against the double.
 * `bindings` gives the recorded placeholders that requests use before any response names them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { MedplumDoubleOptions } from './medplum-double.js';

export interface WireWorld {
  readonly options: MedplumDoubleOptions;
  readonly bindings: ReadonlyMap<string, string>;
  /** Moves the double's clock forward, to expire tokens without waiting. */
  advance(ms: number): void;
}

const secret = (): string => randomBytes(32).toString('hex');
const CALLBACK = 'http://localhost:3000/callback';

/** Made by replaying wire/07 (admin API) when `provisioning: 'replayed'`; configured otherwise. */
const PROVISIONED = [
  'provisionedClientId',
  'provisionedClientSecret',
  'provisionedClientSecret_rotated',
  'ipClientId_allow127',
  'ipClientSecret_allow127',
  'ipClientId_allowOther',
  'ipClientSecret_allowOther',
];

export interface WireWorldOptions {
  /**
   * `configured` (default): the clients wire/07 provisions exist from the start, in their final
   * state (rotated, policies attached). `replayed`: they do not, and their ids and secrets are
   * bound from the replayed admin responses.
   */
  readonly provisioning?: 'configured' | 'replayed';
}

export function wireWorld(worldOptions: WireWorldOptions = {}): WireWorld {
  const b = {
    starterProjectId: randomUUID(),
    secondProjectId: randomUUID(),
    superAdminProjectId: randomUUID(),
    starterAdminPassword: `pw-${secret()}`,
    multiMemberPassword: `pw-${secret()}`,
    superAdminPassword: `pw-${secret()}`,
    starterAdminPractitionerId: randomUUID(),
    starterPatientId: randomUUID(),
    starterClientId: randomUUID(),
    starterClientSecret: secret(),
    refreshGrantClientId: randomUUID(),
    refreshGrantClientSecret: secret(),
    shortLivedClientId: randomUUID(),
    shortLivedClientSecret: secret(),
    restrictedClientId: randomUUID(),
    restrictedClientSecret: secret(),
    provisionedClientId: randomUUID(),
    provisionedClientSecret: secret(),
    provisionedClientSecret_rotated: secret(),
    ipClientId_allow127: randomUUID(),
    ipClientSecret_allow127: secret(),
    ipClientId_allowOther: randomUUID(),
    ipClientSecret_allowOther: secret(),
    spaClientId: randomUUID(),
    spaClientSecret: secret(),
    // Made by the replay (they need the double's URL): see double.test.ts.
    jwtClientId: randomUUID(),
    exchangeClientId: randomUUID(),
  };
  const seededBy = { reference: `Practitioner/${b.starterAdminPractitionerId}`, display: 'Starter Admin' };
  let offset = 0;

  const options: MedplumDoubleOptions = {
    now: () => Date.now() + offset,
    // The Medplum app of the recordings, where /oauth2/authorize redirects (wire/10).
    appBaseUrl: 'http://localhost:3000/',
    projects: [
      { id: b.starterProjectId, name: 'Starter Test Project' },
      { id: b.secondProjectId, name: 'Wire Capture Second Project', strictMode: false },
      { id: b.superAdminProjectId, name: 'Super Admin' },
    ],
    users: [
      {
        email: 'starter-admin@example.com',
        password: b.starterAdminPassword,
        admin: true,
        profile: { resourceType: 'Practitioner', id: b.starterAdminPractitionerId, name: [{ given: ['Starter'], family: 'Admin' }] },
      },
      {
        email: 'wire-multi@example.com',
        password: b.multiMemberPassword,
        projects: [b.starterProjectId, b.secondProjectId],
        profile: { resourceType: 'Practitioner', name: [{ given: ['Multi'], family: 'Member' }] },
      },
      {
        email: 'admin@example.com',
        password: b.superAdminPassword,
        superAdmin: true,
        projects: [b.superAdminProjectId],
        profile: { resourceType: 'Practitioner', name: [{ given: ['Medplum'], family: 'Admin' }] },
      },
    ],
    clients: [
      { id: b.starterClientId, secret: b.starterClientSecret, name: 'Probe Client 2026-11-29T10:32:08.738Z', description: 'created by probe.mjs' },
      {
        id: b.refreshGrantClientId,
        secret: b.refreshGrantClientSecret,
        name: 'Wire refresh grantType client',
        grantType: ['authorization_code', 'refresh_token'],
        redirectUris: [CALLBACK],
      },
      { id: b.shortLivedClientId, secret: b.shortLivedClientSecret, name: 'Wire short-lived token client', accessTokenLifetimeSeconds: 5 },
      {
        id: b.restrictedClientId,
        secret: b.restrictedClientSecret,
        name: 'Restricted Probe Client',
        accessPolicy: { resource: [{ resourceType: 'Observation' }] },
      },
      {
        // After `$rotate-secret`: the new secret is current, the old one is retiring.
        id: b.provisionedClientId,
        secret: b.provisionedClientSecret_rotated,
        retiringSecret: b.provisionedClientSecret,
        name: 'Wire Provisioned Client',
        description: 'created by the wire capture',
        redirectUri: CALLBACK,
        accessPolicy: { resource: [{ resourceType: 'Patient', readonly: true }, { resourceType: 'Observation' }] },
      },
      {
        id: b.ipClientId_allow127,
        secret: b.ipClientSecret_allow127,
        name: 'Wire IP client allow127',
        accessPolicy: {
          resource: [{ resourceType: '*' }],
          ipAccessRule: [
            { name: 'allow 127.0.0.1', value: '127.0.0.1', action: 'allow' },
            { name: 'block everything else', value: '*', action: 'block' },
          ],
        },
      },
      {
        id: b.ipClientId_allowOther,
        secret: b.ipClientSecret_allowOther,
        name: 'Wire IP client allowOther',
        accessPolicy: {
          resource: [{ resourceType: '*' }],
          ipAccessRule: [
            { name: 'allow 10.9.8.7', value: '10.9.8.7', action: 'allow' },
            { name: 'block everything else', value: '*', action: 'block' },
          ],
        },
      },
      { id: b.spaClientId, secret: b.spaClientSecret, name: 'Wire SPA client', redirectUris: [CALLBACK] },
    ],
    // In the recorded order: searches with _count=1 return the first one, and a next link.
    resources: [
      { resourceType: 'Patient', name: [{ given: ['Probe'], family: 'Starter' }], meta: { author: seededBy } },
      { resourceType: 'Patient', id: b.starterPatientId, name: [{ given: ['Wire'], family: 'Capture' }], meta: { author: seededBy } },
      { resourceType: 'Observation', status: 'final', code: { text: 'probe' }, valueQuantity: { value: 42, unit: 'kg' }, meta: { author: seededBy } },
      { resourceType: 'Observation', status: 'final', code: { text: 'probe 2' }, valueQuantity: { value: 43, unit: 'kg' }, meta: { author: seededBy } },
    ],
  };

  const replayed = worldOptions.provisioning === 'replayed';
  return {
    options: replayed ? { ...options, clients: options.clients?.filter((c) => !PROVISIONED.includes(idName(b, c.id))) } : options,
    bindings: new Map(Object.entries(b).filter(([name]) => !replayed || !PROVISIONED.includes(name))),
    advance(ms) {
      offset += ms;
    },
  };
}

function idName(bindings: Readonly<Record<string, string>>, id: string | undefined): string {
  return Object.entries(bindings).find(([, value]) => value === id)?.[0] ?? '';
}
