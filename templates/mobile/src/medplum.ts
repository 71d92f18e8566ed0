import { MedplumClient } from '@medplum/core';
import { ExpoClientStorage } from '@medplum/expo-polyfills';
import { config } from './config.ts';

/**
 * The app's one client, or undefined while .env is incomplete. Its tokens live in expo-secure-store
 * on iOS and Android; on the web, where there is no secure store, in localStorage (see the README).
 */
export const medplum = config && new MedplumClient({ ...config, storage: new ExpoClientStorage() });
