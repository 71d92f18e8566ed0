/** Process entry: binds the real process to `main`. */
import { Interrupted } from './errors.js';

// SIGINT and SIGTERM do not kill the run mid-way: they abort `interrupt`, and what is under way
// stops cleanly (a write is undone, an install's process group stopped) before main exits 1.
// A second signal stops at once.
const interrupts = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupts.signal.aborted) {
    process.exit(1);
  }
  interrupts.abort(new Interrupted(signal));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// Loaded after the handlers are in place: a signal during start-up is handled too.
const { main } = await import('./cli.js');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Read only when a run may prompt: process.stdin is a stream that costs start-up time to make.
  get stdinIsTTY() {
    return process.stdin.isTTY === true;
  },
  env: process.env,
  cwd: process.cwd(),
  interrupt: interrupts.signal,
});
