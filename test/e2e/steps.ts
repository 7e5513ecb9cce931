// Reading what the real CLI printed: `pulumi preview --json` digests and `--event-log` files.
import { readFileSync } from "node:fs";

/** What the tests read of a `--json` digest, the engine's (any operation) or the offline preview's. */
export interface Digest {
  steps?: Array<{ op: string; urn: string }>;
  changeSummary?: Record<string, number>;
  diagnostics?: Array<{ message: string; severity: string; urn?: string }>;
}

/** Each top-level JSON object in `text`, in order: `pulumi up --json` prints the preview's digest, then the update's. */
function jsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

/** The last digest a `--json` command printed (the CLI may print warnings before it). */
export function parseDigest(stdout: string): Digest {
  const last = jsonObjects(stdout).at(-1);
  if (last === undefined) throw new Error(`no JSON in the output:\n${stdout.slice(0, 2000)}`);
  return last as Digest;
}

export const urnsOf = (d: Digest): string[] => [...new Set((d.steps ?? []).map((s) => s.urn))].sort();

/**
 * The engine's changeSummary without the updates that follow an import of the same resource:
 * the engine compares an adopted object's live state with the program's inputs (a hand-made
 * mount has no description), which an offline preview cannot see. Returns those URNs too, so
 * the test can show that nothing else was taken out.
 */
export function withoutImportUpdates(d: Digest): { summary: Record<string, number>; importUpdates: string[] } {
  const steps = d.steps ?? [];
  const imported = new Set(steps.filter((s) => s.op === "import").map((s) => s.urn));
  const importUpdates = steps.filter((s) => s.op === "update" && imported.has(s.urn)).map((s) => s.urn);
  const summary = { ...d.changeSummary };
  if (importUpdates.length) {
    summary.update = (summary.update ?? 0) - importUpdates.length;
    if (summary.update === 0) delete summary.update;
  }
  return { summary, importUpdates };
}

/** Operations other than `same` in a changeSummary: what a preview with no changes must not have. */
export const changesIn = (summary: Record<string, number> | undefined): Record<string, number> =>
  Object.fromEntries(Object.entries(summary ?? {}).filter(([op, n]) => op !== "same" && n > 0));

export interface PolicyViolation {
  urn?: string;
  policy: string;
  message: string;
  level: string;
}

/** The policy violations an `--event-log` file recorded. */
export function policyViolations(eventLog: string): PolicyViolation[] {
  return readFileSync(eventLog, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { policyEvent?: { resourceUrn?: string; policyName: string; message: string; enforcementLevel: string } })
    .flatMap((e) => (e.policyEvent ? [{ ...(e.policyEvent.resourceUrn ? { urn: e.policyEvent.resourceUrn } : {}), policy: e.policyEvent.policyName, message: e.policyEvent.message, level: e.policyEvent.enforcementLevel }] : []));
}
