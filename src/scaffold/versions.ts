/**
 * The one place that pins what generated projects install.
 * Templates read these through the `version` helper: `"@medplum/core": {{version "@medplum/core"}}`.
 * test/scaffold/versions.test.ts checks the @medplum/core pin against the version this package itself installs.
 */
export const VERSIONS = {
  '@medplum/core': '^5.2.13',
  '@medplum/fhirtypes': '^5.2.13',
  '@medplum/mock': '^5.2.13',
  '@medplum/react': '^5.2.13',
  '@medplum/react-hooks': '^5.2.13',
  // The peers @medplum/react 5.2.13 declares; Mantine 9 is outside its range.
  '@mantine/core': '^8.3.18',
  '@mantine/hooks': '^8.3.18',
  '@mantine/notifications': '^8.3.18',
  '@mantine/spotlight': '^8.3.18',
  jsqr: '^1.4.0',
  signature_pad: '^5.1.4',
  // @medplum/react 5.2.13 imports useLocation from react-router without declaring it.
  'react-router': '^7.18.7',
  // Mantine's PostCSS setup, which @medplum/react's styles need (its breakpoint variables).
  postcss: '^8.5.33',
  'postcss-preset-mantine': '^1.18.0',
  'postcss-simple-vars': '^7.0.1',
  react: '^19.3.1',
  'react-dom': '^19.3.1',
  // 8.4.0 declares an optional dependency the registry does not serve, which breaks `npm ci`.
  vite: '~8.3.8',
  '@vitejs/plugin-react': '^6.3.0',
  typescript: '^7.0.2',
  '@types/node': '^22.18.0',
  '@types/react': '^19.3.3',
  '@types/react-dom': '^19.3.0',
  // The medplum UI's tests: Medplum's components rendered in jsdom, as Medplum's own examples test them.
  vitest: '^5.1.2',
  jsdom: '^31.0.1',
  '@testing-library/react': '^16.3.3',
  '@testing-library/dom': '^10.4.2',
} as const;

export type PackageName = keyof typeof VERSIONS;

/**
 * The Expo starter's pins (--platform mobile): Expo SDK 58, the newest on the npm registry, and what
 * `npx expo install` picks for it, from the `bundledNativeModules.json` of expo 58.0.26.
 * Exceptions: expo 58.0.26's bundledNativeModules.json asks for expo-crypto ~58.0.8, expo-secure-store
 * ~58.0.3, expo-auth-session ~58.0.19 and expo-web-browser ~58.1.0, but the registry serves none of them
 * (checked again 2026-11-30 with `npm view <name> versions`: `latest` is 57.0.3, 57.0.4, 57.0.13 and
 * 57.0.3; expo-web-browser has only 58.0.0 canaries), so those are their newest (SDK 57) releases;
 * `npx expo install --fix` in the project moves them up when 58 is there.
 * Their react and react-dom are Expo's exact pins, not the web starters' ranges.
 */
export const EXPO_VERSIONS = {
  expo: '~58.0.26',
  react: '19.3.0',
  'react-dom': '19.3.0',
  'react-native': '0.88.1',
  'react-native-web': '~0.21.4',
  '@expo/metro-runtime': '~58.0.17',
  'expo-crypto': '~57.0.3',
  'expo-secure-store': '~57.0.4',
  'expo-auth-session': '~57.0.13',
  'expo-web-browser': '~57.0.3',
  // The polyfills' peers; see the starter's README for why 4.3.6 runs on @medplum/core 5.
  '@medplum/expo-polyfills': '4.3.6',
  'expo-standard-web-crypto': '~57.0.1',
  '@medplum/react-hooks': '^5.2.13',
} as const;
