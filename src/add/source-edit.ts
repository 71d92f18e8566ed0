/**
 * Edits to the project's own source: made only when the file has a shape we recognise (the element
 * to wrap appears exactly once); otherwise the caller prints the edit as a manual step.
 */

/** `source` with `importLine` after its last import (or first), and `element` wrapped in `<Wrapper>`. */
export function wrapElement(source: string, element: string, wrapper: string, importLine: string): string | undefined {
  const at = source.indexOf(element);
  if (at < 0 || source.indexOf(element, at + 1) >= 0) {
    return undefined;
  }
  const lineStart = source.lastIndexOf('\n', at) + 1;
  const lineEnd = source.indexOf('\n', at) < 0 ? source.length : source.indexOf('\n', at);
  const line = source.slice(lineStart, lineEnd);
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  // On a line of its own, the element keeps its line and gains one level of indentation (two spaces).
  const wrapped =
    line.trim() === element
      ? `${indent}<${wrapper}>\n${indent}  ${element}\n${indent}</${wrapper}>`
      : line.replace(element, `<${wrapper}>${element}</${wrapper}>`);
  const edited = source.slice(0, lineStart) + wrapped + source.slice(lineEnd);
  return addImport(edited, importLine);
}

/**
 * Inserts `importLine` after the last top-level import statement (else at the top), in that
 * statement's style: its quotes, and a semicolon only if it has one.
 */
function addImport(source: string, importLine: string): string {
  let last: RegExpExecArray | undefined;
  for (const match of source.matchAll(/^import\s(?:[^;'"]*?from\s*)?(['"])[^'"\n]+\1(;?)[ \t]*$/gm)) {
    last = match;
  }
  if (last === undefined) {
    return `${importLine}\n${source}`;
  }
  const [statement, quote, semicolon] = last;
  const styled = importLine.replaceAll("'", quote as string).replace(/;$/, semicolon as string);
  const end = last.index + statement.length;
  return `${source.slice(0, end)}\n${styled}${source.slice(end)}`;
}

/** Whether a module imports its siblings with their extension (Vite's allowImportingTsExtensions). */
export function usesExtensions(source: string): boolean {
  return /from\s+['"]\.{1,2}\/[^'"]+\.(tsx?|jsx?)['"]/.test(source);
}

/** How a module imports another: with the extension when the file already imports its siblings that way. */
export function importSpecifier(source: string, relativePath: string): string {
  return usesExtensions(source) ? relativePath : relativePath.replace(/\.(tsx?|jsx?)$/, '');
}

/** `source` with the .ts and .tsx extensions of its relative imports dropped, which every bundler resolves. */
export function withoutExtensions(source: string): string {
  return source.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.tsx?(['"])/g, '$1$2');
}
