// Errors as the preview prints them: one message an operator can act on, never a stack trace
// unless asked for (`--debug`), and never a walk over the error object, so that a circular, huge
// or hostile thrown value prints as quickly as any other.
const ANSI = /\u001b\[[0-9;]*m/g;
const FRAME = /^\s+at \S/;
/** Longer than any message the project writes (a ConfigError lists each problem on a line). */
const LIMIT = 64 * 1024;

/** `text` without terminal colours and, from the first stack frame on, without the trace and the object dump after it. */
export function withoutTrace(text: string): string {
  const lines = text.replace(ANSI, "").split("\n");
  const frame = lines.findIndex((l) => FRAME.test(l));
  return (frame < 0 ? lines : lines.slice(0, frame))
    .map((l) => l.replace(/^<ref \*\d+> /, ""))
    .join("\n")
    .trim();
}

function bounded(text: string): string {
  return text.length <= LIMIT ? text : `${text.slice(0, LIMIT)}… (${text.length - LIMIT} more characters)`;
}

/** A property read that cannot throw (a getter, a revoked proxy). */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `[object Error]` and the like; a proxy's traps may throw even for that. */
function described(value: object): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return "[object]";
  }
}

/**
 * The text to print for `err`. An error the preview itself raises for the operator (`known`)
 * prints its message; anything else its name and message, and its stack only with `debug`.
 */
export function errorText(err: unknown, opts: { debug: boolean; known: (err: unknown) => boolean }): string {
  if (err === null || (typeof err !== "object" && typeof err !== "function")) return bounded(String(err));
  const message = read(err, "message");
  const text = typeof message === "string" ? message : described(err);
  if (opts.known(err)) return bounded(opts.debug ? text : withoutTrace(text));
  const stack = read(err, "stack");
  if (opts.debug && typeof stack === "string") return bounded(stack);
  const name = read(err, "name");
  return bounded(`${typeof name === "string" ? `${name}: ` : ""}${withoutTrace(text)} (an unexpected error: run with --debug for its stack trace)`);
}
