// Stack names and stack references as Pulumi parses them (its DIY and Cloud backends agree):
// `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`, each part 1-100 characters of
// letters, digits, '-', '_' and '.'. Pure: shared by the config schema and the preview's CLI.

/** The organization of Pulumi's DIY backend: the offline preview's unless `--stack` names another. */
export const ORGANIZATION = "organization";

export interface StackReference {
  organization?: string;
  project?: string;
  stack: string;
}

const PART = /^[A-Za-z0-9_.-]{1,100}$/;
const SHAPES = "<stack>, <org>/<stack> or <org>/<project>/<stack>";

/** Why `text` is not a stack name Pulumi accepts, or undefined when it is one. */
export function stackReferenceProblem(text: string): string | undefined {
  if (text === "") return "is empty";
  const parts = text.split("/");
  if (parts.length > 3) return `has ${parts.length} parts; a stack is named ${SHAPES}`;
  const bad = parts.find((p) => !PART.test(p));
  if (bad === "") return `has an empty part; a stack is named ${SHAPES}`;
  if (bad !== undefined) return `part "${bad}" is not a Pulumi name (1-100 letters, digits, '-', '_' or '.')`;
  // Pulumi's pattern admits them, but a DIY backend and every path built from a name read them as directories.
  const dots = parts.find((p) => p === "." || p === "..");
  if (dots !== undefined) return `part "${dots}" names a directory, not a stack`;
  return undefined;
}

/** The parts of a valid reference; throws with the problem otherwise. */
export function parseStackReference(text: string): StackReference {
  const problem = stackReferenceProblem(text);
  if (problem) throw new Error(`stack "${text}" ${problem}`);
  const parts = text.split("/");
  if (parts.length === 1) return { stack: parts[0]! };
  if (parts.length === 2) return { organization: parts[0]!, stack: parts[1]! };
  return { organization: parts[0]!, project: parts[1]!, stack: parts[2]! };
}

/** `<org>/<project>/<stack>`, the missing parts taken from `within`, as the engine resolves a reference. */
export function qualified(ref: StackReference, within: { organization: string; project: string }): string {
  return `${ref.organization ?? within.organization}/${ref.project ?? within.project}/${ref.stack}`;
}
