import { normalizeErrorString } from '@medplum/core';
import { AccessDeniedError, loadDevice, runAgent } from './agent.ts';
import { type Config, loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { networkErrorCode } from './fetch.ts';
import { signIn } from './login.ts';
import { readSensor } from './sensor.ts';
import { SignInError } from './sign-in.ts';

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `once`: a second Ctrl-C falls back to Node's default and stops the process at once.
  process.once(signal, () => {
    console.log(`${signal} received: stopping after the current reading.`);
    stop.abort();
  });
}

let config: Config | undefined;
try {
  config = loadConfig(process.env, process.argv.slice(2));
  const login = await signIn(config, console);
  const device = config.deviceId ? await loadDevice(login, config.deviceId) : undefined;
  if (!config.once) {
    console.log(`Sending a reading every ${config.intervalSeconds} s. Ctrl-C stops.`);
  }
  await runAgent({
    login,
    device,
    readSensor,
    intervalSeconds: config.intervalSeconds,
    once: config.once,
    signal: stop.signal,
    log: console,
  });
} catch (err) {
  console.error(describeFailure(err, config));
  process.exitCode = 1;
}

function describeFailure(err: unknown, config: Config | undefined): string {
  if (err instanceof ConfigError || err instanceof SignInError || err instanceof AccessDeniedError) {
    return err.message;
  }
  const networkError = networkErrorCode(err);
  if (networkError) {
    return `Could not reach Medplum at ${config?.baseUrl} (${networkError}). Check the device's network.`;
  }
  return `Medplum request failed: ${normalizeErrorString(err)}`;
}
