/**
 * The command line: routes argv to a command and is the only place that turns errors into exit
 * codes; nothing calls process.exit. Each command is loaded only when it runs, so --help and
 * --version start fast.
 */
import { NAME, parseArgs, type CheckFlags, type RotateFlags } from './args.js';
import { CliError, Interrupted, UsageError } from '../errors.js';
import { prompterFor, type Io } from './io.js';
import { isPromptCancel } from './prompts.js';
import { createUi, debugLines } from './ui.js';
import { VERSION } from './version.js';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parseArgs(argv, VERSION);
    switch (parsed.kind) {
      case 'print':
        io.stdout.write(parsed.text);
        return 0;
      case 'check':
        return await runCheck(parsed.options, io);
      case 'rotate-secret':
        return await runRotate(parsed.options, io);
      case 'add':
        return await (await import('../add/run.js')).runAdd(parsed.flags, io);
      case 'create':
        return await (await import('./create.js')).create(parsed.flags, io);
    }
  } catch (err) {
    const ui = createUi(io.env, io.stdout, io.stderr, false);
    if (isPromptCancel(err)) {
      ui.error('Cancelled. Nothing was written.');
      return 1;
    }
    if (err instanceof Interrupted) {
      ui.error(`${err.message}. Nothing was written.`);
      return 1;
    }
    if (err instanceof UsageError || err instanceof CliError) {
      ui.error(err.message);
      return err.exitCode;
    }
    throw err;
  }
}

/** `create-medplum-auth check [directory]`: loaded only when asked for (it loads @medplum/core). */
async function runCheck(flags: CheckFlags, io: Io): Promise<number> {
  const { check, reportCheck } = await import('../medplum/check.js');
  const options = { ...flags, debug: debugLines(flags.debug, io.stderr), interrupt: io.interrupt };
  const ui = createUi(io.env, io.stdout, io.stderr, options.json);
  const result = await check(options, io.cwd, io.env);
  return reportCheck(result, options, ui, (text) => io.stdout.write(text));
}

/** `create-medplum-auth rotate-secret [directory]`. */
async function runRotate(options: RotateFlags, io: Io): Promise<number> {
  const { rotateSecret } = await import('../medplum/rotate.js');
  const ui = createUi(io.env, io.stdout, io.stderr, options.json);
  const prompt = await prompterFor(io, options);
  const result = await rotateSecret(options, {
    cwd: io.cwd,
    env: io.env,
    prompt,
    debug: debugLines(options.debug, io.stderr),
    rescue: (text) => io.stderr.write(text),
  });
  if (result.warning && !options.json) {
    ui.warn(result.warning);
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const messages = {
    rotated: `Rotated the secret of client ${result.clientId}; the new one is in ${result.wroteTo}. The old secret keeps working at the token endpoint (not as Basic on FHIR) as retiringSecret until you run: ${NAME} rotate-secret --retire`,
    retired: `Retired the old secret of client ${result.clientId}: only the current one works now.`,
    'nothing-to-retire': `Client ${result.clientId} has no retiring secret: nothing to retire.`,
  };
  ui.info(`${ui.color.green('✔')} ${messages[result.action]}`);
  return 0;
}
