// Where a token reaches beyond what its holder is allowed, decided exactly over Vault's
// infinite path space. Whether a path matches a rule depends only on each segment's relation
// to the literals the rules mention (equal to one, starting with a `*` prefix, or neither),
// so one representative path per class decides for all of them: each literal, each prefix
// followed by a character no rule mentions, and a segment no rule mentions (`…`), to one
// segment past the longest rule.
import type { Capability } from "../model/vaultPolicy";
import { capabilitiesAt, compileAcl, winningRule, type Acl, type AclRule, type Compiled } from "./acl";

/** A segment, or segment tail, that no rule mentions; shown as-is in messages. */
export const ANY = "…";

export interface Escape<S> {
  /** A concrete path the token reaches (`…` stands for any segment no rule names). */
  path: string;
  /** Capabilities granted there beyond what is allowed. */
  extra: Capability[];
  /** The rule path that grants them, and the policies it comes from. */
  rule: string;
  sources: S[];
}

function compatible(r: Compiled<unknown>, prefix: readonly string[]): boolean {
  if (!r.isPrefix && prefix.length > r.parts.length) return false;
  const last = r.parts.length - 1;
  for (let i = 0; i < Math.min(prefix.length, r.parts.length); i++) {
    const p = r.parts[i]!;
    if (p === "+" && r.kind === "segment") continue;
    if (r.isPrefix && i === last ? !prefix[i]!.startsWith(p) : p !== prefix[i]) return false;
  }
  return true;
}

/**
 * Values worth trying at position `i` given the rules still in play there. Unnamed values
 * come first so that the witness a message shows reads as "any segment" where it can.
 */
function candidates(rules: ReadonlyArray<Compiled<unknown>>, i: number): string[] {
  const tails = new Set<string>();
  const literals = new Set<string>();
  for (const r of rules) {
    const p = r.parts[i];
    if (p === undefined || (p === "+" && r.kind === "segment")) continue;
    literals.add(p);
    if (r.isPrefix && i === r.parts.length - 1) tails.add(p + ANY);
  }
  const empty = literals.delete("");
  return [ANY, ...tails, ...literals, ...(empty ? [""] : [])];
}

/** Every path class where `granted` gives capabilities that `allowed` does not, one witness per granting rule. */
export function escapes<S>(granted: Acl<S>, allowed: Acl<unknown>): Array<Escape<S>> {
  const grants = granted.rules.filter((r) => !r.caps.has("deny") && r.caps.size > 0);
  if (grants.length === 0) return [];
  const all: Array<Compiled<unknown>> = [...granted.rules, ...allowed.rules];
  const maxLen = Math.max(...all.map((r) => r.parts.length)) + 1;
  const found = new Map<string, Escape<S>>();
  const visit = (prefix: string[], inPlay: Array<Compiled<unknown>>) => {
    if (prefix.length > 0) {
      const path = prefix.join("/");
      const caps = capabilitiesAt(granted, path);
      if (caps.length) {
        const ok = new Set(capabilitiesAt(allowed, path));
        const extra = caps.filter((c) => !ok.has(c));
        const rule = winningRule(granted, path)!;
        if (extra.length && !found.has(rule.key)) found.set(rule.key, { path, extra, rule: rule.key, sources: [...new Set(rule.sources)] });
      }
    }
    if (prefix.length === maxLen) return;
    for (const v of candidates(inPlay, prefix.length)) {
      const next = [...prefix, v];
      const still = inPlay.filter((r) => compatible(r, next));
      if (still.some((r) => grants.includes(r as Compiled<S>))) visit(next, still);
    }
  };
  visit([], all);
  return [...found.values()];
}

/** Convenience for allowed sets written as rules. */
export function allowedAcl(rules: ReadonlyArray<{ path: string; capabilities: readonly Capability[] }>): Acl<string> {
  return compileAcl(rules.map((r): AclRule => ({ ...r, source: "allowed" })));
}
