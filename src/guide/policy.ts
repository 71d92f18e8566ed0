/**
 * The AccessPolicy written as access-policy.json for backend and device starters: the starter's
 * own needs by default, reshaped by --allow, with IP rules from --allow-ip.
 */
import { UsageError } from '../errors.js';
import { shownValue } from '../scaffold/escape.js';

export const INTERACTIONS = ['read', 'vread', 'history', 'search', 'create', 'update', 'delete'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

export interface PolicyResource {
  readonly resourceType: string;
  /** A FHIR search the resources must match, e.g. `Observation?device=Device/thermo-1`. */
  readonly criteria?: string;
  readonly interaction: readonly Interaction[];
}

export interface IpAccessRule {
  readonly name: string;
  readonly value: string;
  readonly action: 'allow' | 'block';
}

export interface AccessPolicy {
  readonly resourceType: 'AccessPolicy';
  readonly name: string;
  readonly resource: readonly PolicyResource[];
  readonly ipAccessRule?: readonly IpAccessRule[];
}

/** `Observation:create,Device:read` (repeatable) -> resources, interactions merged per type. */
export function parseAllow(specs: readonly string[]): PolicyResource[] {
  const byType = new Map<string, Set<Interaction>>();
  for (const item of specs.flatMap((spec) => spec.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Z][A-Za-z]+):([a-z]+)$/.exec(item);
    if (!match) {
      throw new UsageError(`--allow ${shownValue(item)} is not ResourceType:interaction. Pass e.g. --allow Observation:create,Device:read`);
    }
    const [, resourceType, interaction] = match as unknown as [string, string, string];
    if (!(INTERACTIONS as readonly string[]).includes(interaction)) {
      throw new UsageError(`--allow ${shownValue(item)}: ${shownValue(interaction)} is not an interaction. Use one of ${INTERACTIONS.join(', ')}.`);
    }
    const set = byType.get(resourceType) ?? new Set<Interaction>();
    set.add(interaction as Interaction);
    byType.set(resourceType, set);
  }
  return [...byType].map(([resourceType, set]) => ({
    resourceType,
    interaction: INTERACTIONS.filter((i) => set.has(i)),
  }));
}

/**
 * Medplum matches a rule by text: the address equals the value or starts with it. So a rule is an
 * IPv4 address or a dotted prefix ending in "."; CIDR /8, /16, /24 and /32 are turned into one.
 */
export function parseAllowIp(value: string): string {
  const v = value.trim();
  if (v.includes(':')) {
    throw new UsageError(`--allow-ip ${shownValue(value)} is IPv6; Medplum's IP rules match IPv4 only.`);
  }
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(v);
  if (cidr) {
    const [, address, bits] = cidr as unknown as [string, string, string];
    const octets = checkOctets(address, value);
    const keep = { 8: 1, 16: 2, 24: 3, 32: 4 }[Number(bits)];
    if (keep === undefined) {
      throw new UsageError(
        `--allow-ip ${shownValue(value)}: Medplum matches IP rules by text prefix, so only /8, /16, /24 and /32 can be expressed.`,
      );
    }
    return keep === 4 ? octets.join('.') : `${octets.slice(0, keep).join('.')}.`;
  }
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) {
    return checkOctets(v, value).join('.');
  }
  if (/^\d{1,3}(\.\d{1,3}){0,2}\.$/.test(v)) {
    checkOctets(v.slice(0, -1), value);
    return v;
  }
  throw new UsageError(
    `--allow-ip ${shownValue(value)} is not an IPv4 address or prefix. Pass e.g. --allow-ip 203.0.113.7, --allow-ip 10.20. or --allow-ip 10.20.0.0/16`,
  );
}

/** --device-id: a FHIR id, since it goes into a reference and a search criteria. */
export function parseDeviceId(value: string): string {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
    throw new UsageError(`--device-id "${value}" is not a FHIR id: 1 to 64 letters, digits, "-" or ".".`);
  }
  return value;
}

/**
 * Narrows a device's policy to one Device: it may create only Observations that reference it, and
 * read only that Device. A stolen credential then cannot write readings for any other device.
 */
export function restrictToDevice(resources: readonly PolicyResource[], deviceId: string): PolicyResource[] {
  const criteria: Readonly<Record<string, string>> = {
    Observation: `Observation?device=Device/${deviceId}`,
    Device: `Device?_id=${deviceId}`,
  };
  return resources.map(({ resourceType, interaction }) =>
    criteria[resourceType] ? { resourceType, criteria: criteria[resourceType], interaction } : { resourceType, interaction },
  );
}

function checkOctets(address: string, original: string): number[] {
  const octets = address.split('.').map(Number);
  if (octets.some((o) => o > 255)) {
    throw new UsageError(`--allow-ip ${shownValue(original)} has an octet above 255.`);
  }
  return octets;
}

export function buildPolicy(name: string, resources: readonly PolicyResource[], allowIps: readonly string[]): AccessPolicy {
  const rules: IpAccessRule[] = allowIps.map((value) => ({ name: `allow ${value}`, value, action: 'allow' }));
  return {
    resourceType: 'AccessPolicy',
    name,
    resource: resources,
    ...(rules.length > 0 ? { ipAccessRule: [...rules, { name: 'block everything else', value: '*', action: 'block' }] } : {}),
  };
}
