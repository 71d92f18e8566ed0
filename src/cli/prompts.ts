/**
 * The only module that imports the prompt library, and only when a TTY user is there to answer:
 * `--yes`, `--json`, CI and piped runs never load it.
 */
export interface SelectChoice<T extends string> {
  readonly value: T;
  readonly name: string;
  readonly description?: string;
}

export interface Prompter {
  select<T extends string>(question: { message: string; choices: readonly SelectChoice<T>[]; default?: T }): Promise<T>;
  input(question: { message: string; default?: string; validate?: (value: string) => true | string }): Promise<string>;
  password(question: { message: string }): Promise<string>;
  confirm(question: { message: string; default: boolean }): Promise<boolean>;
}

/** `interrupt` (SIGTERM, or SIGINT from outside the terminal) cancels the open question. */
export async function loadPrompter(interrupt?: AbortSignal): Promise<Prompter> {
  const inquirer = await import('@inquirer/prompts');
  const context = { signal: interrupt };
  return {
    select: (q) => inquirer.select({ message: q.message, choices: q.choices, default: q.default }, context),
    input: (q) => inquirer.input({ message: q.message, default: q.default, validate: q.validate }, context),
    password: (q) => inquirer.password({ message: q.message, mask: '*' }, context),
    confirm: (q) => inquirer.confirm({ message: q.message, default: q.default }, context),
  };
}

/**
 * Ctrl-C in a prompt rejects with inquirer's ExitPromptError, an interrupt with AbortPromptError;
 * matched by name so this module stays lazy.
 */
export function isPromptCancel(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');
}
