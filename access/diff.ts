// What a change does to access: grants added and removed per principal and per path, decided by
// the pack's reach analysis (policy/reach.ts) over Vault's whole path space, so a removed `deny`
// or a removed narrower rule counts as widening even though no grant was added. Secrets that
// land in a namespace they did not reach before widen access too.
import { compileAcl } from "../policy/acl";
import { ANY, escapes } from "../policy/reach";
import { aclOf } from "./build";
import type { AccessReport, Grant, Principal } from "./types";

export const DIFF_SCHEMA = "platform-secrets/access-diff@1";

export interface Reach {
  /** A path where the capabilities changed (`…` stands for any segment no rule names). */
  path: string;
  capabilities: string[];
  /** The rule that decides there, in the report that grants them, and its policies. */
  rule: string;
  policies: string[];
}

export interface SecretChange {
  direction: "read" | "write";
  secret: string;
  namespace: string;
  key: string;
  vaultPath: string;
  via: string;
}

export interface PrincipalChange {
  id: string;
  name: string;
  status: "added" | "removed" | "changed";
  grantsAdded: Grant[];
  grantsRemoved: Grant[];
  /** Capabilities the principal gains somewhere (one witness per granting rule). */
  reachAdded: Reach[];
  reachRemoved: Reach[];
  secretsAdded: SecretChange[];
  secretsRemoved: SecretChange[];
}

export interface AccessDiff {
  schema: typeof DIFF_SCHEMA;
  stack: string;
  base: string;
  /** True when some principal reaches more, or some Secret lands where it did not: CI should ask for a review. */
  widened: boolean;
  principals: PrincipalChange[];
  /** The same changes per policy path (the rule that decides): who gained or lost what there. */
  byPath: Array<{ rule: string; added: Array<{ principal: string; capabilities: string[] }>; removed: Array<{ principal: string; capabilities: string[] }> }>;
}

const EMPTY = compileAcl<string>([]);
const grantKey = (g: Grant) => `${g.match}:${g.path}:${g.capabilities.join(",")}`;

function secretChanges(p: Principal | undefined): Map<string, SecretChange> {
  const out = new Map<string, SecretChange>();
  for (const d of p?.secrets ?? []) {
    for (const namespace of d.namespaces) {
      for (const k of d.keys) {
        const c: SecretChange = { direction: d.direction, secret: d.secret, namespace, key: k.key, vaultPath: k.vaultPath, via: d.via };
        out.set(JSON.stringify([c.direction, c.secret, c.namespace, c.key, c.vaultPath]), c);
      }
    }
  }
  return out;
}

function reach(from: Principal | undefined, than: Principal | undefined): Reach[] {
  if (!from) return [];
  return escapes(aclOf(from), than ? aclOf(than) : EMPTY).map((e) => ({ path: e.path, capabilities: e.extra, rule: e.rule, policies: e.sources }));
}

function compare(id: string, head: Principal | undefined, base: Principal | undefined): PrincipalChange | undefined {
  const headGrants = new Map((head?.grants ?? []).map((g) => [grantKey(g), g]));
  const baseGrants = new Map((base?.grants ?? []).map((g) => [grantKey(g), g]));
  const headSecrets = secretChanges(head);
  const baseSecrets = secretChanges(base);
  const change: PrincipalChange = {
    id,
    name: (head ?? base)!.name,
    status: !base ? "added" : !head ? "removed" : "changed",
    grantsAdded: [...headGrants].filter(([k]) => !baseGrants.has(k)).map(([, g]) => g),
    grantsRemoved: [...baseGrants].filter(([k]) => !headGrants.has(k)).map(([, g]) => g),
    reachAdded: reach(head, base),
    reachRemoved: reach(base, head),
    secretsAdded: [...headSecrets].filter(([k]) => !baseSecrets.has(k)).map(([, c]) => c),
    secretsRemoved: [...baseSecrets].filter(([k]) => !headSecrets.has(k)).map(([, c]) => c),
  };
  const changed = change.grantsAdded.length + change.grantsRemoved.length + change.reachAdded.length + change.reachRemoved.length + change.secretsAdded.length + change.secretsRemoved.length;
  return changed > 0 ? change : undefined;
}

export function diffReports(head: AccessReport, base: AccessReport, baseName: string): AccessDiff {
  const heads = new Map(head.principals.map((p) => [p.id, p]));
  const bases = new Map(base.principals.map((p) => [p.id, p]));
  const ids = [...new Set([...heads.keys(), ...bases.keys()])].sort();
  const principals = ids.map((id) => compare(id, heads.get(id), bases.get(id))).filter((c): c is PrincipalChange => c !== undefined);
  const byRule = new Map<string, AccessDiff["byPath"][number]>();
  const at = (rule: string) => {
    if (!byRule.has(rule)) byRule.set(rule, { rule, added: [], removed: [] });
    return byRule.get(rule)!;
  };
  for (const c of principals) {
    for (const r of c.reachAdded) at(r.rule).added.push({ principal: c.id, capabilities: r.capabilities });
    for (const r of c.reachRemoved) at(r.rule).removed.push({ principal: c.id, capabilities: r.capabilities });
  }
  return {
    schema: DIFF_SCHEMA,
    stack: head.stack,
    base: baseName,
    widened: principals.some((c) => c.reachAdded.length > 0 || c.secretsAdded.length > 0),
    principals,
    byPath: [...byRule.values()].sort((a, b) => (a.rule < b.rule ? -1 : 1)),
  };
}

/** How the diff spells a segment no rule names. */
export const ANY_SEGMENT = ANY;
