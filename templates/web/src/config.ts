import { parseConfig } from './parseConfig.ts';

// The only module that reads import.meta.env, so everything else stays testable in plain Node.
const result = parseConfig(import.meta.env);

if (!result.ok) {
  console.error(result.problem);
}

/** The app's configuration, or undefined when something is missing (see configProblem). */
export const config = result.ok ? result.config : undefined;

/** One line saying which variable is missing and where to get it; the page shows it too. */
export const configProblem = result.ok ? undefined : result.problem;
