/**
 * package.json: the wiring's dependencies merged in, the file otherwise as it was (key order,
 * indentation, final newline). A dependency the project already has at a compatible version is left
 * alone; one at another major version is reported, and stops the run unless --force.
 */
import semver from 'semver';

export interface Incompatible {
  readonly name: string;
  readonly have: string;
  readonly want: string;
}

export interface DependencyMerge {
  /** The new package.json text; undefined when nothing is added. */
  readonly text: string | undefined;
  readonly added: readonly string[];
  readonly incompatible: readonly Incompatible[];
}

type Json = Record<string, unknown>;
const SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** True when `have` allows a version of the major that `want` asks for; a spec that is no semver range (workspace:, git, tags) is trusted. */
export function isCompatible(have: string, want: string): boolean {
  const wanted = semver.minVersion(want);
  if (semver.validRange(have) === null || wanted === null) {
    return true;
  }
  return semver.intersects(have, `${wanted.major}.x`);
}

/**
 * With `force`, an incompatible version is replaced by the wanted one (in the section that has it).
 */
export function mergeDependencies(
  text: string,
  wanted: Readonly<Record<string, string>>,
  force: boolean,
  into: 'dependencies' | 'devDependencies' = 'dependencies',
): DependencyMerge {
  const pkg = JSON.parse(text) as Json;
  const added: string[] = [];
  const incompatible: Incompatible[] = [];
  const toAdd: Record<string, string> = {};
  for (const [name, want] of Object.entries(wanted)) {
    const section = SECTIONS.map((s) => pkg[s] as Record<string, string> | undefined).find((deps) => deps && Object.hasOwn(deps, name));
    const have = section?.[name];
    if (section === undefined || have === undefined) {
      toAdd[name] = want;
      added.push(name);
    } else if (!isCompatible(have, want)) {
      incompatible.push({ name, have, want });
      if (force) {
        section[name] = want;
      }
    }
  }
  if (added.length === 0 && !(force && incompatible.length > 0)) {
    return { text: undefined, added, incompatible };
  }
  // Only replaced versions (--force): no section is added for nothing.
  if (added.length > 0) {
    const deps = (pkg[into] ?? {}) as Record<string, string>;
    const keys = Object.keys(deps);
    // npm keeps this section sorted; a hand-ordered one gets the new names at its end.
    const sorted = keys.every((key, i) => i === 0 || (keys[i - 1] as string).localeCompare(key) <= 0);
    const merged = { ...deps, ...toAdd };
    pkg[into] = sorted ? Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) : merged;
  }
  const indent = /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = JSON.stringify(pkg, null, indent).replaceAll('\n', eol);
  return { text: /\r?\n$/.test(text) ? body + eol : body, added, incompatible };
}
