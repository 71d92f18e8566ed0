import { normalizeErrorString } from '@medplum/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { serve } from './listen.ts';
import { Sessions } from './sessions.ts';

try {
  const config = loadConfig(process.env);
  const url = await serve(createApp(new Sessions(config), config.listen.apiKey), config.listen);
  console.log(`Exchanging identity provider tokens at ${config.baseUrl} for client ${config.clientId}.`);
  const key = config.listen.apiKey ? ', with X-API-Key: <API_KEY>' : '';
  console.log(`Listening on ${url} (GET /health, GET /me, GET /patients?name=...${key})`);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Unexpected error: ${normalizeErrorString(err)}`);
  process.exitCode = 1;
}
