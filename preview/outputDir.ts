// The preview's output directory: one it created and marked, or an empty one it may claim.
// Clearing is limited to a directory carrying the mark, so a mistyped `--out` (`.`, `~`,
// `/tmp`) can never delete anything. Pure Node fs: no Pulumi.
import { existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

export const OUTPUT_MARKER = ".platform-secrets-preview";
const MARKER_TEXT = "Written by `npm run preview`: this directory is its output and is cleared on every run.\n";

export class OutputDirError extends Error {
  constructor(dir: string, why: string) {
    super(`output directory ${dir}: ${why}`);
    this.name = "OutputDirError";
  }
}

export interface OutputDirOptions {
  /** The project root; neither it nor a directory containing it can be the output. */
  projectRoot: string;
  /** Defaults to the user's home directory. */
  home?: string;
}

/** True when `inner` is `outer` or lies below it (paths already absolute and resolved). */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (rel.split(sep)[0] !== ".." && !isAbsolute(rel));
}

/** Symbolic links resolved where the path exists, so `out -> ..` is judged by where it leads. */
function real(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(existing.slice(parent.length).replace(/^[/\\]/, ""));
    existing = parent;
  }
  return resolve(realpathSync(existing), ...rest);
}

/** The nearest existing path at or above `path`. */
function nearestExisting(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return existing;
}

/**
 * Why `dir` cannot be the preview's output, or undefined when it can: the checks `claimOutputDir`
 * makes, without touching anything, so a command line can be refused before any work.
 */
export function outputDirProblem(dir: string, opts: OutputDirOptions): string | undefined {
  if (dir.trim() === "") return "is empty; give a directory of its own, e.g. out/<stack>";
  const abs = resolve(dir);
  const target = real(abs);
  const guarded: Array<[string, string]> = [
    [real(resolve(opts.projectRoot)), "the project root"],
    [real(resolve(opts.home ?? homedir())), "the home directory"],
  ];
  for (const [path, name] of guarded) {
    if (within(path, target)) return `is ${path === target ? name : `a parent of ${name}`} (${path}); the preview clears its output directory, so give it a directory of its own, e.g. out/<stack>`;
  }
  if (!existsSync(abs)) {
    const existing = nearestExisting(abs);
    return statSync(existing).isDirectory() ? undefined : `cannot be created: ${existing} is a file, not a directory`;
  }
  const stat = lstatSync(abs);
  if (stat.isSymbolicLink()) return "is a symbolic link; give the directory it points to, or a new one";
  if (!stat.isDirectory()) return "exists and is not a directory";
  const entries = readdirSync(abs);
  const marked = entries.includes(OUTPUT_MARKER) && lstatSync(resolve(abs, OUTPUT_MARKER)).isFile();
  if (!marked && entries.length > 0) {
    return `is not empty and was not created by the preview (it has no ${OUTPUT_MARKER} file); choose a new or empty directory, or empty this one yourself`;
  }
  return undefined;
}

/**
 * Makes `dir` the preview's output: creates and marks it, or empties it if it carries the mark.
 * Refuses (`outputDirProblem`) the project root, its parents, the home directory and its parents,
 * a symbolic link, a path under a file, and any non-empty directory without the mark. Returns the
 * absolute directory.
 */
export function claimOutputDir(dir: string, opts: OutputDirOptions): string {
  const abs = resolve(dir);
  const problem = outputDirProblem(dir, opts);
  if (problem) throw new OutputDirError(abs, problem);
  if (!existsSync(abs)) {
    mkdirSync(abs, { recursive: true });
    writeFileSync(resolve(abs, OUTPUT_MARKER), MARKER_TEXT);
    return abs;
  }
  const entries = readdirSync(abs);
  // Removing an entry removes a symbolic link itself, never what it points to.
  for (const entry of entries) if (entry !== OUTPUT_MARKER) rmSync(resolve(abs, entry), { recursive: true, force: true });
  if (!entries.includes(OUTPUT_MARKER)) writeFileSync(resolve(abs, OUTPUT_MARKER), MARKER_TEXT);
  return abs;
}
