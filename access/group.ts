// Principals that log in the same way and hold the same grants read as one: a role binding
// app-eso in 100 namespaces is one row of a table or picture, its namespaces listed once.
import type { AccessReport, Delivery, Grant, Login, Principal } from "./types";

/**
 * Grants only the server's built-in `default` policy decides (every token's own lookup, renewal,
 * cubbyhole, wrapping): the same for nearly every principal, so tables and the picture fold them.
 * A `default` the stack rewrites is shown in full.
 */
export function foldsDefault(report: Pick<AccessReport, "policies">): (g: Grant) => boolean {
  const builtIn = report.policies.some((p) => p.name === "default" && p.source.startsWith("built-in"));
  return (g) => builtIn && g.policies.length === 1 && g.policies[0] === "default";
}

/** The role, user or group a login names. */
export const loginName = (l: Login): string => l.role ?? l.user ?? l.group ?? "";

export interface PrincipalGroup {
  /** `app-eso in 3 namespaces via spoke-dc-v6-k8s/apps-spoke-dc-v6-payments`, or the principal's own name. */
  label: string;
  members: Principal[];
  policies: string[];
  unresolvedPolicies: string[];
  grants: Grant[];
  /** Deliveries of every member, merged where only the namespace differs. */
  secrets: Delivery[];
}

/** Only a ServiceAccount bound in many namespaces folds; any other principal is a row of its own. */
function groupKey(p: Principal): string {
  return JSON.stringify([p.kind, p.login, p.serviceAccount ? p.serviceAccount.name : p.id, p.policies, p.grants]);
}

/** A delivery with its namespace taken out of the object names, so members' deliveries merge. */
const strip = (s: string, members: ReadonlySet<string>) => s.replace(/ ([^ /]+)\//, (m, ns: string) => (members.has(ns) ? " <namespace>/" : m));

function mergeSecrets(members: readonly Principal[]): Delivery[] {
  const nss = new Set(members.flatMap((m) => (m.serviceAccount ? [m.serviceAccount.namespace] : [])));
  const out = new Map<string, Delivery>();
  for (const d of members.flatMap((m) => m.secrets)) {
    const via = strip(d.via, nss);
    const store = strip(d.store, nss);
    const key = JSON.stringify([d.direction, d.secret, via, store, d.keys]);
    const prior = out.get(key);
    if (!prior) out.set(key, { ...d, namespaces: [...d.namespaces], ...(d.deniedPaths ? { deniedPaths: [...d.deniedPaths] } : {}) });
    else {
      Object.assign(prior, { via, store });
      prior.namespaces.push(...d.namespaces);
      if (d.refusedNamespaces) prior.refusedNamespaces = [...(prior.refusedNamespaces ?? []), ...d.refusedNamespaces];
      if (d.deniedPaths) prior.deniedPaths = [...new Set([...(prior.deniedPaths ?? []), ...d.deniedPaths])];
    }
  }
  return [...out.values()];
}

function labelOf(members: readonly Principal[]): string {
  const first = members[0]!;
  const via = first.login?.method === "kubernetes" ? ` via ${first.login.mount}/${loginName(first.login)}` : "";
  if (members.length === 1) return `${first.name}${via}`;
  return `${first.serviceAccount?.name ?? first.kind} in ${members.length} namespaces${via}`;
}

export function groupPrincipals(report: Pick<AccessReport, "principals">): PrincipalGroup[] {
  const groups = new Map<string, Principal[]>();
  for (const p of report.principals) {
    const key = groupKey(p);
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(p);
  }
  return [...groups.values()].map((members) => ({
    label: labelOf(members),
    members,
    policies: members[0]!.policies,
    unresolvedPolicies: members[0]!.unresolvedPolicies,
    grants: members[0]!.grants,
    secrets: mergeSecrets(members),
  }));
}

/** `a, b, c` or `a, b and 98 more`. */
export function listed(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(", ");
  return `${items.slice(0, max - 1).join(", ")} and ${items.length - max + 1} more`;
}
