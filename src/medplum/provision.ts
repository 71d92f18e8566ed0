/**
 * `--provision`: create the method's AccessPolicy and ClientApplication on the Medplum server,
 * as a project admin, following the recorded admin exchanges:
 *   1. the AccessPolicy, with a FHIR create;
 *   2. the ClientApplication, with `POST admin/projects/{projectId}/client` (never a plain FHIR
 *      create: such a client has no secret and no membership, and can never sign in);
 *   3. the policy on the client's ProjectMembership.
 * A re-run finds what an earlier run made (by name) and creates nothing new; a client it finds gets
 * the redirect URIs, JWKS URL or identity provider this starter needs. If a step fails,
 * what this run created is deleted again, and the error says so.
 */
import type { MedplumClient } from '@medplum/core';
import { describe } from './admin.js';
import { CliError } from '../errors.js';
import type { AccessPolicy } from '../guide/policy.js';

export interface ProvisionRequest {
  /** The ClientApplication's name; also how a re-run finds it. */
  readonly name: string;
  readonly projectId?: string;
  readonly accessPolicy: AccessPolicy | null;
  readonly redirectUris?: readonly string[];
  readonly jwksUri?: string;
  readonly identityProvider?: Readonly<Record<string, unknown>>;
}

export interface Provisioned {
  readonly projectId: string;
  readonly clientId: string;
  /** The client's secret, as the server returned it: for .env or --secret-out, never for output. */
  readonly clientSecret: string;
  readonly accessPolicyId?: string;
  /** The client's ProjectMembership, which carries the AccessPolicy. */
  readonly membershipId?: string;
  /** What this run created (to undo if a later step of the scaffold fails). */
  readonly created: readonly string[];
}

interface WithId {
  readonly id: string;
}

export async function provision(medplum: MedplumClient, request: ProvisionRequest, baseUrl: string): Promise<Provisioned> {
  const created: string[] = [];
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const undone = await undo(medplum, created);
      throw new CliError(`Provisioning failed at "${what}": ${describe(err, baseUrl)}${undone}`);
    }
  };

  const projectId = request.projectId
    ? await step(`open project ${request.projectId}`, async () => {
        // A project admin's own project is used whatever the path says (recorded), so check the ID first.
        const { project } = (await medplum.get(`admin/projects/${request.projectId}`)) as { project: WithId };
        if (project.id !== request.projectId) {
          throw new Error(`the admin credentials belong to project ${project.id}, not ${request.projectId}`);
        }
        return project.id;
      })
    : await step("find the admin's project", async () => ((await medplum.get('auth/me')) as { project: WithId }).project.id);

  let policyId: string | undefined;
  if (request.accessPolicy) {
    const policy = request.accessPolicy;
    const existing = await step('find the AccessPolicy', () => medplum.searchOne('AccessPolicy', { name: policy.name }));
    if (existing?.id) {
      policyId = existing.id;
      await step('update the AccessPolicy', () => medplum.updateResource({ ...policy, id: policyId as string }));
    } else {
      const made = await step('create the AccessPolicy', () => medplum.createResource(policy));
      policyId = made.id as string;
      created.push(`AccessPolicy/${policyId}`);
    }
  }
  const accessPolicy = policyId ? { reference: `AccessPolicy/${policyId}` } : undefined;

  const existing = await step('find the ClientApplication', () =>
    medplum.searchOne('ClientApplication', { name: request.name }),
  );
  let client: WithId & { secret?: string };
  let membershipId: string | undefined;
  if (existing?.id) {
    // Found by name, it may have been made for another starter (a backend of the same name): it gets
    // what this one needs to sign in, or the first sign-in fails with "Invalid redirect URI".
    client = await step('update the ClientApplication', () => reconcileClient(medplum, existing as FoundClient, request));
    if (accessPolicy) {
      membershipId = await step('attach the AccessPolicy', () => attachPolicy(medplum, projectId, client.id, accessPolicy));
    }
  } else {
    client = await step('create the ClientApplication', async () => {
      const made = (await medplum.post(`admin/projects/${projectId}/client`, {
        name: request.name,
        description: 'Created by create-medplum-auth',
        ...(request.redirectUris?.length ? { redirectUris: request.redirectUris } : {}),
        ...(request.jwksUri ? { jwksUri: request.jwksUri } : {}),
        ...(request.identityProvider ? { identityProvider: request.identityProvider } : {}),
        ...(accessPolicy ? { accessPolicy } : {}),
      })) as WithId & { secret?: string };
      created.push(`ClientApplication/${made.id}`);
      return made;
    });
    if (accessPolicy) {
      // The admin endpoint made the membership with the policy on it: find it to say so.
      membershipId = await step('find the client\'s ProjectMembership', async () => (await membershipOf(medplum, client.id)).id);
    }
  }
  if (!client.secret) {
    await undo(medplum, created);
    throw new CliError(`ClientApplication/${client.id} has no secret: it was not created through the admin API. Delete it, then run again.`);
  }
  return { projectId, clientId: client.id, clientSecret: client.secret, accessPolicyId: policyId, membershipId, created };
}

type FoundClient = WithId & { readonly secret?: string; readonly redirectUris?: readonly string[]; readonly jwksUri?: string; readonly identityProvider?: unknown };

/**
 * A client found by name, given what the request asks of it: its redirect URIs added to those it
 * has (never removed: another app may use them), and the JWKS URL and identity provider set. Updated
 * only when something is missing; the secret goes back unchanged, as the server requires.
 */
async function reconcileClient(medplum: MedplumClient, found: FoundClient, request: ProvisionRequest): Promise<FoundClient> {
  const redirectUris = found.redirectUris ?? [];
  const missing = (request.redirectUris ?? []).filter((uri) => !redirectUris.includes(uri));
  const changes = {
    ...(missing.length > 0 ? { redirectUris: [...redirectUris, ...missing] } : {}),
    ...(request.jwksUri && request.jwksUri !== found.jwksUri ? { jwksUri: request.jwksUri } : {}),
    ...(request.identityProvider && JSON.stringify(request.identityProvider) !== JSON.stringify(found.identityProvider)
      ? { identityProvider: request.identityProvider }
      : {}),
  };
  if (Object.keys(changes).length === 0) {
    return found;
  }
  return (await medplum.updateResource({ resourceType: 'ClientApplication', ...found, ...changes } as Parameters<MedplumClient['updateResource']>[0])) as FoundClient;
}

async function membershipOf(medplum: MedplumClient, clientId: string) {
  const membership = await medplum.searchOne('ProjectMembership', { user: `ClientApplication/${clientId}` });
  if (!membership?.id) {
    throw new Error(`ClientApplication/${clientId} has no ProjectMembership`);
  }
  return membership as typeof membership & WithId;
}

/** Puts the policy on the client's membership; returns the membership's id. */
async function attachPolicy(medplum: MedplumClient, projectId: string, clientId: string, accessPolicy: { reference: string }): Promise<string> {
  const membership = await membershipOf(medplum, clientId);
  if (membership.accessPolicy?.reference !== accessPolicy.reference) {
    await medplum.post(`admin/projects/${projectId}/members/${membership.id}`, { ...membership, accessPolicy });
  }
  return membership.id;
}

/** Deletes what this run created, newest first; says what was undone (or what could not be). */
export async function undo(medplum: MedplumClient, created: readonly string[]): Promise<string> {
  if (created.length === 0) {
    return '. Nothing had been created.';
  }
  const left: string[] = [];
  for (const ref of [...created].reverse()) {
    const [type, id] = ref.split('/') as [string, string];
    try {
      if (type === 'ClientApplication') {
        // The admin endpoint made a membership too: remove it first, as the admin API does.
        const membership = await medplum.searchOne('ProjectMembership', { user: ref });
        const projectId = membership?.project?.reference?.split('/')[1];
        if (membership?.id && projectId) {
          await medplum.delete(`admin/projects/${projectId}/members/${membership.id}`);
        }
      }
      await medplum.deleteResource(type as 'AccessPolicy', id);
    } catch {
      left.push(ref);
    }
  }
  return left.length === 0
    ? `. Undone: deleted ${created.join(' and ')}.`
    : `. Could not delete ${left.join(', ')}: delete ${left.length === 1 ? 'it' : 'them'} in the Medplum app.`;
}

/** The provisioning request for a method: redirect URIs for web apps, the IdP, the JWKS URL. */
export function requestFor(
  method: { readonly app: string; readonly id: string },
  name: string,
  projectId: string | undefined,
  accessPolicy: AccessPolicy | null,
  extras: { readonly redirectUris?: readonly string[]; readonly jwksUri?: string; readonly identityProvider?: Readonly<Record<string, unknown>> },
): ProvisionRequest {
  return {
    name,
    projectId,
    accessPolicy,
    ...(method.app === 'user-facing' ? { redirectUris: ['http://localhost:5173/', 'http://localhost:4173/'] } : {}),
    ...extras,
  };
}
