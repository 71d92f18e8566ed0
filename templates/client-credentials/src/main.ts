import { normalizeErrorString } from '@medplum/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { serve } from './listen.ts';
import { connect } from './medplum.ts';
import { SignInError } from './sign-in.ts';

try {
  const config = loadConfig(process.env);
  const medplum = await connect(config);
  const url = await serve(createApp(medplum, config.listen.apiKey), config.listen);
  console.log(`Signed in to ${config.baseUrl} as client ${config.clientId}.`);
  const key = config.listen.apiKey ? ', with Authorization: Bearer <API_KEY>' : '';
  console.log(`Listening on ${url} (GET /health, GET /patients?name=...${key})`);
} catch (err) {
  const known = err instanceof ConfigError || err instanceof SignInError;
  console.error(known ? err.message : `Unexpected error: ${normalizeErrorString(err)}`);
  process.exitCode = 1;
}
