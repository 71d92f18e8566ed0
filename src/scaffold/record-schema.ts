/**
 * The shape of medplum-auth.json, checked when `--from` replays one: a record can be edited by
 * hand or come from elsewhere, so it gets the same rules as the flags it stands for (the same
 * validators: an https IdP endpoint, a base URL, values an .env can hold) before any of it is used.
 * Loaded only with --from (valibot is bundled into this chunk alone).
 */
import * as v from 'valibot';
import { UsageError } from '../errors.js';
import { envValue } from './escape.js';
import { IDP_PROVIDERS, checkHttpsUrl } from '../guide/idp.js';
import { METHOD_IDS, PLATFORMS, WEB_UIS } from '../guide/methods.js';
import { INTERACTIONS, parseDeviceId } from '../guide/policy.js';
import { checkBaseUrl } from '../guide/validate.js';

/** A string that `check` accepts; its message (which names `path`) becomes the issue's. */
const checked = (path: string, check: (value: string, name: string) => unknown) =>
  v.pipe(
    v.string(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (dataset.typed) {
        try {
          check(dataset.value, path);
        } catch (err) {
          addIssue({ message: (err as Error).message.replace(/\.$/, '') });
        }
      }
    }),
  );

/** A value that ends up in .env: what envValue refuses is refused here, by path. */
const envSafe = (path: string) =>
  checked(path, (value) => {
    try {
      envValue(value);
    } catch (err) {
      throw new UsageError(`${path} ${(err as Error).message}`);
    }
  });

/** An IdP endpoint: https (http only for localhost), as for --idp-issuer; empty when not known yet. */
const endpoint = (path: string, kind: 'issuer' | 'endpoint' = 'endpoint') =>
  checked(path, (value, name) => value === '' || checkHttpsUrl(value, name, kind));

/** Made when a record is checked (not at import), so each check runs the rules it is tested by. */
const recordSchema = () =>
  v.looseObject({
    format: v.literal(1, 'unknown format (expected 1)'),
    method: v.picklist(METHOD_IDS, `no known method (one of ${METHOD_IDS.join(', ')})`),
    platform: v.optional(v.picklist(PLATFORMS, `unknown platform (one of ${PLATFORMS.join(', ')})`)),
    ui: v.optional(v.picklist(WEB_UIS, `unknown ui (one of ${WEB_UIS.join(', ')})`)),
    baseUrl: v.optional(checked('$.baseUrl', (value, name) => checkBaseUrl(value, name))),
    clientId: v.optional(envSafe('$.clientId')),
    projectId: v.optional(envSafe('$.projectId')),
    googleClientId: v.optional(envSafe('$.googleClientId')),
    deviceId: v.optional(checked('$.deviceId', (value) => parseDeviceId(value))),
    idp: v.optional(
      v.looseObject({
        provider: v.picklist(IDP_PROVIDERS, `unknown identity provider (one of ${IDP_PROVIDERS.join(', ')})`),
        issuer: endpoint('$.idp.issuer', 'issuer'),
        authorizeUrl: endpoint('$.idp.authorizeUrl'),
        tokenUrl: endpoint('$.idp.tokenUrl'),
        userInfoUrl: endpoint('$.idp.userInfoUrl'),
        clientId: envSafe('$.idp.clientId'),
      }),
    ),
    accessPolicy: v.optional(
      v.looseObject({
        resource: v.array(
          v.looseObject({
            resourceType: v.pipe(v.string(), v.regex(/^[A-Z][A-Za-z]+$/, 'not a FHIR resource type')),
            interaction: v.array(v.picklist(INTERACTIONS, `not an interaction (one of ${INTERACTIONS.join(', ')})`)),
          }),
        ),
        ipAccessRule: v.optional(
          v.array(v.looseObject({ name: v.string(), value: v.string(), action: v.picklist(['allow', 'block'], 'not allow or block') })),
        ),
      }),
    ),
  });

export type CheckedRecord = v.InferOutput<ReturnType<typeof recordSchema>>;

/** The record, or a UsageError with one line per failure, each naming its JSON path. */
export function checkRecord(value: unknown, file: string): CheckedRecord {
  // valibot's object schemas would take an array for an object, and report its missing keys.
  if (Array.isArray(value)) {
    throw new UsageError(`--from ${file}: $: Invalid type: Expected Object but received Array.`);
  }
  const result = v.safeParse(recordSchema(), value);
  if (result.success) {
    return result.output;
  }
  const lines = result.issues.map((issue) => {
    const path = `$${(issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('')}`;
    // Messages from the shared validators already name the path.
    return `--from ${file}: ${issue.message.startsWith(path) ? issue.message : `${path}: ${issue.message}`}.`;
  });
  throw new UsageError(lines.join('\n'));
}
