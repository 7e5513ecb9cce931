// What the catalogue allows each kind of principal to reach in Vault, as policy rules the
// reach analysis compares a token against. Every token also carries Vault's `default` policy,
// so every allowance includes that policy's self-service paths (and nothing else outside the
// KV mount unless the pack config adds it).
import * as naming from "../model/naming";
import type { Capability, PolicyRule } from "../model/vaultPolicy";
import { BUILT_IN_DEFAULT } from "./defaultPolicy";
import type { StackModel } from "./model";
import { classifyPolicy, type PolicyKind } from "./rules/common";

export interface AccessConfig {
  /** cluster -> kubernetes auth mount path, for clusters not at <cluster>-k8s */
  authPaths: Record<string, string>;
  kvMount: string;
  adminPrefixes: string[];
  /** Vault paths any principal may reach beyond the default policy (a team's transit key, say) */
  extraAllowed: PolicyRule[];
}

/**
 * AccessConfig for a rule that needs who holds what but has no access tunables of its own:
 * which ServiceAccounts log in to Vault does not depend on them.
 */
export function accessDefaults(config: Partial<AccessConfig>): AccessConfig {
  return { authPaths: config.authPaths ?? {}, kvMount: config.kvMount ?? "secret", adminPrefixes: config.adminPrefixes ?? [], extraAllowed: config.extraAllowed ?? [] };
}

/** What the catalogue allows a principal; `unknown` is anyone the catalogue does not name. */
export type Allowance =
  | { kind: "tenant"; division: string }
  | { kind: "platform"; cluster: string }
  | { kind: "push"; cluster: string }
  | { kind: "pipelines"; cluster: string; robots: string[] }
  | { kind: "admin"; env: string }
  | { kind: "default" }
  | { kind: "unknown" };

const U: Capability[] = ["update"];

/**
 * What every token may do on itself: the built-in `default` policy of either server (Vault's
 * holds OpenBao's), plus the self-service paths older Vault releases still write there.
 * Whoever rewrites `default` may narrow it, never widen it.
 */
export const DEFAULT_POLICY_RULES: readonly PolicyRule[] = [
  ...BUILT_IN_DEFAULT.vault,
  { path: "sys/tools/random", capabilities: U },
  { path: "sys/tools/random/*", capabilities: U },
  { path: "sys/mfa/challenge", capabilities: U },
];

/** The allowance's own grants, before what every token may do. */
function ownRules(a: Allowance, config: AccessConfig): PolicyRule[] {
  const kv = config.kvMount;
  switch (a.kind) {
    case "tenant":
      return [
        { path: `${naming.kvDataPath(kv, naming.divisionKeyPrefix(a.division))}*`, capabilities: ["read"] },
        { path: `${naming.kvMetadataPath(kv, naming.divisionKeyPrefix(a.division))}*`, capabilities: ["read", "list"] },
      ];
    case "platform":
      return [{ path: `${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["read"] }];
    case "push":
      // What ESO's Vault provider needs to push to KV v2: the value and its custom metadata.
      return [
        { path: `${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["create", "read", "update"] },
        { path: `${naming.kvMetadataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["create", "read", "update"] },
      ];
    case "pipelines":
      return a.robots.map((key) => ({ path: naming.kvDataPath(kv, key), capabilities: ["read"] }));
    case "admin":
      return [
        { path: naming.kvMetadataPath(kv, ""), capabilities: ["list"] },
        ...config.adminPrefixes.flatMap((p): PolicyRule[] => [
          { path: `${naming.kvDataPath(kv, `${p}/`)}*`, capabilities: ["create", "read", "update", "patch", "delete"] },
          { path: `${naming.kvMetadataPath(kv, `${p}/`)}*`, capabilities: ["read", "list", "delete"] },
        ]),
      ];
    case "default":
    case "unknown":
      // Nothing that reads a secret (KV or any other engine: database/creds, aws/creds…), and
      // nothing that writes the policies, roles or identities every other principal is judged by.
      return [];
  }
}

export function allowedRules(a: Allowance, config: AccessConfig): PolicyRule[] {
  return [...ownRules(a, config), ...DEFAULT_POLICY_RULES, ...config.extraAllowed];
}

export function describeAllowance(a: Allowance, config: AccessConfig): string {
  const kv = config.kvMount;
  const extra = config.extraAllowed.length ? ` and the extraAllowed paths (${config.extraAllowed.map((r) => r.path).join(", ")})` : "";
  const own = (() => {
    switch (a.kind) {
      case "tenant":
        return `read under ${naming.kvDataPath(kv, naming.divisionKeyPrefix(a.division))} and ${naming.kvMetadataPath(kv, naming.divisionKeyPrefix(a.division))} (division ${a.division})`;
      case "platform":
        return `read under ${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}`;
      case "push":
        return `create/read/update under ${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))} and ${naming.kvMetadataPath(kv, naming.platformKeyPrefix(a.cluster))}`;
      case "pipelines":
        return a.robots.length ? `read on ${a.robots.map((k) => naming.kvDataPath(kv, k)).join(", ")}` : "nothing (no tenant on this cluster has a robot)";
      case "admin":
        return `write under ${config.adminPrefixes.map((p) => `${kv}/data/${p}/`).join(", ")}`;
      case "default":
        return "only what Vault's built-in default policy grants every token (its own lookup, renewal, cubbyhole, wrapping)";
      case "unknown":
        return `nothing in ${kv}/ or any other engine, and no writes to policies, auth or identity`;
    }
  })();
  return a.kind === "default" || a.kind === "unknown" ? `${own}${extra}` : `${own}, plus the default policy's self-service paths${extra}`;
}

/** The shape a platform-named policy must keep: roles in other stacks trust it by name. */
export function shapeOf(kind: PolicyKind, model: StackModel): Allowance {
  switch (kind.kind) {
    case "division":
      return { kind: "tenant", division: kind.division };
    case "platform":
      return { kind: "platform", cluster: kind.cluster };
    case "push":
      return { kind: "push", cluster: kind.cluster };
    case "pipelines":
      return { kind: "pipelines", cluster: kind.cluster, robots: robotsOf(model) };
    case "admin":
      return { kind: "admin", env: kind.env };
    case "default":
      return { kind: "default" };
  }
}

export function robotsOf(model: StackModel): string[] {
  const keys = new Set<string>();
  for (const t of model.tenants.values()) if (t.division && t.app) keys.add(naming.ciRobotKey(t.division, t.app));
  return [...keys].sort();
}

/** A policy's shape by its (Vault-stored) name, if it carries one. */
export function shapeOfName(name: string, model: StackModel): Allowance | undefined {
  const kind = classifyPolicy(name);
  return kind ? shapeOf(kind, model) : undefined;
}
