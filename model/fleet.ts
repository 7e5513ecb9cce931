// The stacks of stacks/ as one fleet: no two of them may manage the same cluster, auth mount or
// Vault foundation. Each stack's own checks cannot see this; copying a stack file to start a new
// cluster (`cp Pulumi.spoke-dc-v6.yaml Pulumi.spoke-dc-v8.yaml`) would otherwise give both stacks
// the same namespaces, roles and auth mount, and the second `up` would fight the first. Pure.
import type { StackConfig } from "./config";
import type { KeyPath } from "./configError";
import * as naming from "./naming";

/** One object a stack manages, by an identity two stacks would share if they both managed it. */
export interface Claim {
  id: string;
  /** How an operator names it. */
  what: string;
  /** The setting that decides it (a config path), where the fix goes. */
  path: KeyPath;
}

/** A Vault server by scheme, host and port: two spellings of one address are one server. */
function vaultServer(address: string): string {
  const url = new URL(address);
  return `${url.protocol}//${url.host}`;
}

export function claimsOf(config: StackConfig): Claim[] {
  const vault = vaultServer(config.vault.address);
  const claims: Claim[] = [];
  if (config.foundation) {
    claims.push({ id: `foundation ${vault}`, what: `the Vault foundation on ${vault} (KV mount ${config.vault.kvMount}/, division read policies and canaries, admin groups)`, path: ["vault", "address"] });
  }
  const cluster = config.cluster;
  if (cluster) {
    claims.push({ id: `cluster ${cluster.name}`, what: `cluster "${cluster.name}" (its namespaces, stores, roles ${naming.platformRole(cluster.name)} and apps-${cluster.name}-*)`, path: ["cluster", "name"] });
    claims.push({ id: `api ${new URL(cluster.apiServer).host}`, what: `the cluster behind ${cluster.apiServer}`, path: ["cluster", "apiServer"] });
    claims.push({ id: `auth ${vault} ${cluster.authPath}`, what: `auth mount auth/${cluster.authPath} on ${vault}`, path: cluster.authPath === naming.authPath(cluster.name) ? ["cluster", "name"] : ["auth", "path"] });
  }
  return claims;
}

export interface FleetMember {
  file: string;
  config: StackConfig;
  /** Line of a config path in the member's file. */
  lineOf?: (path: KeyPath) => number | undefined;
}

export interface SharedClaims {
  /** The setting of `own` that decides these claims. */
  path: KeyPath;
  message: string;
}

/** The claims of `own` that another member also makes, one entry per setting of `own` to change. */
export function sharedClaims(own: StackConfig, others: readonly FleetMember[]): SharedClaims[] {
  const bySetting = new Map<string, { path: KeyPath; what: string[]; with: Set<string> }>();
  for (const claim of claimsOf(own)) {
    for (const other of others) {
      const theirs = claimsOf(other.config).find((c) => c.id === claim.id);
      if (!theirs) continue;
      const line = other.lineOf?.(theirs.path);
      const key = claim.path.join(".");
      const entry = bySetting.get(key) ?? { path: claim.path, what: [], with: new Set<string>() };
      if (!entry.what.includes(claim.what)) entry.what.push(claim.what);
      entry.with.add(`${other.file}${line ? `:${line}` : ""}`);
      bySetting.set(key, entry);
    }
  }
  return [...bySetting.values()].map((e) => ({
    path: e.path,
    message: `${e.what.join(" and ")} ${e.what.length > 1 ? "are" : "is"} also managed by ${[...e.with].join(", ")}: two stacks would own the same objects and each \`up\` would undo the other's; give this stack its own`,
  }));
}
