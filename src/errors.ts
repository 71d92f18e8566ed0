/** Errors the CLI reports as one line. Anything else is a bug and gets its stack. */

/** A bad flag, a bad value or a conflict: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** The run could not finish (the target is in the way, a write failed, the user cancelled): exit code 1. */
export class CliError extends Error {
  readonly exitCode = 1;
}

/** SIGINT or SIGTERM arrived: what was under way stops, is undone or kept as it says, and the run exits 1. */
export class Interrupted extends CliError {
  constructor(signal: string) {
    super(`Interrupted (${signal})`);
  }
}
