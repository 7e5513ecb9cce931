// Vault's ACL matching as a pure function (vault/acl.go, which OpenBao keeps): the pack judges
// what a token can do with the rules Vault applies, not with a simplification of them.
//
// * A path without `+` that ends in `*` is a string-prefix rule; any other `*` is literal.
// * A path with `+` is a segment-wildcard rule: `+` is one whole segment; a trailing `*`
//   makes its last segment a prefix and lets it match any deeper path.
// * An exact rule wins outright. Otherwise the longest string-prefix rule competes with every
//   matching segment-wildcard rule, and the most specific wins: the later first `+`/`*`, then
//   no trailing `*`, then fewer `+` segments, then the longer path, then the greater string.
// * The same rule path in several policies merges its capabilities; `deny` there wins.
// * The winning rule's capabilities are the answer; with `deny` among them, nothing is allowed.
import type { Capability } from "../model/vaultPolicy";

export interface AclRule<S = string> {
  path: string;
  capabilities: readonly Capability[];
  /** Where the rule came from (a policy name), for messages. */
  source: S;
}

type Kind = "exact" | "prefix" | "segment";

/** One rule path after merging every policy's grants on it. */
export interface Compiled<S> {
  key: string;
  /** the path without a trailing `*`: what Vault compares lengths and strings of */
  stem: string;
  kind: Kind;
  caps: Set<Capability>;
  sources: S[];
  /** segment rules: the path without a trailing `*`, split on `/` */
  parts: string[];
  isPrefix: boolean;
  firstWildcard: number;
  plusCount: number;
}

export interface Acl<S = string> {
  rules: ReadonlyArray<Compiled<S>>;
  exact: ReadonlyMap<string, Compiled<S>>;
}

function kindOf(path: string): Kind {
  if (path.includes("+")) return "segment";
  return path.endsWith("*") ? "prefix" : "exact";
}

/** Builds one ACL from the rules of every policy a token holds. */
export function compileAcl<S>(rules: ReadonlyArray<AclRule<S>>): Acl<S> {
  const byKey = new Map<string, Compiled<S>>();
  for (const rule of rules) {
    // Vault strips a leading slash from policy paths.
    const path = rule.path.replace(/^\//, "");
    const kind = kindOf(path);
    const key = `${kind}:${path}`;
    let c = byKey.get(key);
    if (!c) {
      const isPrefix = path.endsWith("*");
      const stem = isPrefix ? path.slice(0, -1) : path;
      c = {
        key: path,
        stem,
        kind,
        caps: new Set(),
        sources: [],
        parts: stem.split("/"),
        isPrefix,
        firstWildcard: kind === "segment" ? path.indexOf("+") : stem.length,
        plusCount: stem.split("/").filter((p) => p === "+").length,
      };
      byKey.set(key, c);
    }
    c.sources.push(rule.source);
    if (rule.capabilities.includes("deny") || c.caps.has("deny")) c.caps = new Set(["deny"]);
    else for (const cap of rule.capabilities) c.caps.add(cap);
  }
  const compiled = [...byKey.values()];
  return { rules: compiled, exact: new Map(compiled.filter((c) => c.kind === "exact").map((c) => [c.key, c])) };
}

function segmentMatch(rule: Compiled<unknown>, parts: readonly string[]): boolean {
  if (parts.length < rule.parts.length) return false;
  if (!rule.isPrefix && parts.length !== rule.parts.length) return false;
  return rule.parts.every((p, i) => p === "+" || p === parts[i] || (rule.isPrefix && i === rule.parts.length - 1 && parts[i]!.startsWith(p)));
}

/** The more specific of two matching non-exact rules (Vault's sort order, last wins). */
function moreSpecific<S>(a: Compiled<S>, b: Compiled<S>): Compiled<S> {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard ? a : b;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? b : a;
  if (a.plusCount !== b.plusCount) return a.plusCount < b.plusCount ? a : b;
  if (a.stem.length !== b.stem.length) return a.stem.length > b.stem.length ? a : b;
  return a.stem > b.stem ? a : b;
}

/** The rule that decides `path`, if any matches. */
export function winningRule<S>(acl: Acl<S>, path: string): Compiled<S> | undefined {
  const exact = acl.exact.get(path);
  if (exact) return exact;
  let best: Compiled<S> | undefined;
  // Only the longest string prefix takes part (Vault asks its radix tree for one).
  let longestPrefix: Compiled<S> | undefined;
  const parts = path.split("/");
  for (const r of acl.rules) {
    if (r.kind === "prefix") {
      if (path.startsWith(r.stem) && (!longestPrefix || r.stem.length > longestPrefix.stem.length)) longestPrefix = r;
    } else if (r.kind === "segment" && segmentMatch(r, parts)) {
      best = best ? moreSpecific(best, r) : r;
    }
  }
  if (longestPrefix) best = best ? moreSpecific(best, longestPrefix) : longestPrefix;
  return best;
}

/** What a token holding `acl` may do on `path`: empty when denied or unmatched. */
export function capabilitiesAt(acl: Acl<unknown>, path: string): Capability[] {
  const rule = winningRule(acl, path);
  if (!rule || rule.caps.has("deny")) return [];
  return [...rule.caps].sort();
}
