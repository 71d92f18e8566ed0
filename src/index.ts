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

// `create-medplum-auth --help | head`: a reader that has gone is not an error of ours. The run
// goes on (a project is still written whole); only the rest of its output has nowhere to go.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') {
      throw err;
    }
  });
}

// Loaded after the handlers are in place: a signal during start-up is handled too.
const { main } = await import('./cli/main.js');
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
