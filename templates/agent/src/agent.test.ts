import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { forbidden, OperationOutcomeError } from '@medplum/core';
import type { Observation } from '@medplum/fhirtypes';
import { MockClient } from '@medplum/mock';
import { type AgentOptions, loadDevice, runAgent } from './agent.ts';

const reading = { celsius: 36.8, takenAt: new Date('2026-11-29T10:00:00.000Z') };

/** The agent, signed in to MockClient's in-memory Medplum; what it logs goes to `lines`. */
function setUp(t: TestContext) {
  const medplum = new MockClient();
  const create = t.mock.method(medplum, 'createResource');
  const lines: string[] = [];
  const options: AgentOptions = {
    login: { run: (call) => call(medplum) },
    readSensor: async () => reading,
    intervalSeconds: 0.01,
    once: true,
    signal: new AbortController().signal,
    log: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`error: ${line}`) },
  };
  const posted = () => create.mock.calls.map((call) => call.arguments[0] as Observation);
  return { medplum, create, options, lines, posted };
}

test('--once posts one body temperature for the Device, and logs it', async (t) => {
  const { medplum, options, lines, posted } = setUp(t);
  const { id } = await medplum.createResource({ resourceType: 'Device' });

  await runAgent({ ...options, device: await loadDevice(options.login, id) });

  const [, observation] = posted(); // the first is the Device created above
  assert.deepEqual(observation?.code?.coding, [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }]);
  assert.deepEqual(observation?.valueQuantity, { value: 36.8, unit: 'Cel', system: 'http://unitsofmeasure.org', code: 'Cel' });
  assert.equal(observation?.effectiveDateTime, '2026-11-29T10:00:00.000Z');
  assert.deepEqual(observation?.device, { reference: `Device/${id}` });
  assert.match(lines.join('\n'), /^Observation\/\S+: 36\.8 Cel at 2026-11-29T10:00:00\.000Z$/);
});

test('a 403 names the refused interaction and the AccessPolicy', async (t) => {
  const { medplum, create, options } = setUp(t);
  const refuse = async () => {
    throw new OperationOutcomeError(forbidden);
  };
  create.mock.mockImplementation(refuse);
  t.mock.method(medplum, 'readResource', refuse);

  await assert.rejects(runAgent(options), {
    name: 'AccessDeniedError',
    message:
      "Medplum refused create Observation: the client's AccessPolicy does not allow it. " +
      'Allow "create" on Observation (see access-policy.json) and attach the policy to the client.',
  });
  await assert.rejects(loadDevice(options.login, 'thermo-1'), /^AccessDeniedError: Medplum refused read Device/);
});

test('in the loop, a network failure is logged and the next reading sent; an abort stops it between readings', async (t) => {
  const { create, options, lines } = setUp(t);
  const stop = new AbortController();
  create.mock.mockImplementationOnce(async () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
  }, 0);
  create.mock.mockImplementationOnce(async (resource) => {
    stop.abort(); // as if SIGTERM arrived while this reading was being sent
    return { ...resource, id: 'obs-2' };
  }, 1);

  await runAgent({ ...options, once: false, signal: stop.signal });

  assert.deepEqual(lines, [
    'error: Reading not sent (fetch failed); next try in 0.01 s.',
    'Observation/obs-2: 36.8 Cel at 2026-11-29T10:00:00.000Z',
  ]);
});
