/** Every answer, settled before anything touches the disk (cli/resolve.ts makes it; render, write and record read it). */
import type { Decision } from '../guide/guide.js';
import type { EnvInput, Method, WebEnv, WebUi } from '../guide/methods.js';
import type { AccessPolicy } from '../guide/policy.js';
import type { PackageManagerCommands } from './pm.js';
import type { GeneratedFile } from './render.js';

export interface Plan {
  readonly target: string;
  readonly displayDir: string;
  /** What made the target non-empty when it was checked (the user agreed to write into it). */
  readonly existing: readonly string[];
  readonly projectName: string;
  readonly decision: Decision;
  readonly method: Method;
  /** The web starter's UI; undefined for methods without one. */
  readonly ui: WebUi | undefined;
  /** A web app's env dialect and dev server: Vite's, unless `add` wires another bundler's app. */
  readonly webEnv: WebEnv;
  /** Every user value that reaches the generated files. */
  readonly values: EnvInput;
  readonly accessPolicy: AccessPolicy | null;
  /** Create the client on the server (--provision, or Yes to the offer at a terminal). */
  readonly provision: boolean;
  readonly extraFiles: readonly GeneratedFile[];
  readonly pm: PackageManagerCommands;
}
