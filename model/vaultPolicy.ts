// Vault policy documents as data. The program renders them to HCL; the policy pack parses
// the HCL back (policy/hcl.ts) so it judges exactly the text Vault will get.
import * as naming from "./naming";

export const CAPABILITIES = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PolicyRule {
  path: string;
  capabilities: Capability[];
}

export interface PolicyDocument {
  name: string;
  /** One line on what the policy is for; rendered as the HCL's header comment. */
  purpose: string;
  rules: PolicyRule[];
}

export function renderHcl(doc: PolicyDocument): string {
  const blocks = doc.rules.map(
    (r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`,
  );
  return `# ${doc.name}: ${doc.purpose}\n${blocks.join("\n")}`;
}

/** `apps-<division>-read`: read on the division's KV subtree, nothing else (seed 000). */
export function divisionReadPolicy(mount: string, division: string): PolicyDocument {
  return {
    name: naming.divisionReadPolicy(division),
    purpose: `read the ${division} division's app secrets`,
    rules: [{ path: `${naming.kvDataPath(mount, naming.divisionKeyPrefix(division))}*`, capabilities: ["read"] }],
  };
}

/** The platform store reads exactly the keys of this cluster's secret catalogue, all under ocp/<cluster>/. */
export function platformPolicy(mount: string, cluster: string, keys: readonly string[]): PolicyDocument {
  return {
    name: naming.platformPolicy(cluster),
    purpose: `read ${cluster}'s secret catalogue (registry pull credentials and distributed secrets) for the ${naming.PLATFORM_STORE} ClusterSecretStore`,
    rules: [...new Set(keys)].map((key) => ({ path: naming.kvDataPath(mount, key), capabilities: ["read"] })),
  };
}

/**
 * ESO's Vault provider, pushing to KV v2, reads the current value and its metadata (it refuses
 * to overwrite a secret whose custom_metadata lacks managed-by: external-secrets), then writes
 * both: create/read/update on each pushed key's data and metadata, nothing else.
 */
export function platformPushPolicy(mount: string, cluster: string, keys: readonly string[]): PolicyDocument {
  return {
    name: naming.platformPushPolicy(cluster),
    purpose: `write ${cluster}'s generated secrets to the primary for the ${naming.PUSH_STORE} SecretStore`,
    rules: [...new Set(keys)].flatMap((key) => [
      { path: naming.kvDataPath(mount, key), capabilities: ["create", "read", "update"] },
      { path: naming.kvMetadataPath(mount, key), capabilities: ["create", "read", "update"] },
    ]),
  };
}

/**
 * The pipelines store reads each registered CI robot path exactly. Seed 001 wrote
 * `secret/data/apps/*\/*\/ci/quay-robot`: Vault treats a `*` that is not last as a literal
 * character, so that grant matched nothing. Exact paths are also the least privilege.
 */
export function pipelinesPolicy(mount: string, cluster: string, robots: ReadonlyArray<{ division: string; app: string }>): PolicyDocument {
  return {
    name: naming.pipelinesPolicy(cluster),
    purpose: `read the CI Quay robot of each tenant with a team on ${cluster}`,
    rules: robots.map((r) => ({ path: naming.kvDataPath(mount, naming.ciRobotKey(r.division, r.app)), capabilities: ["read"] })),
  };
}

/**
 * `<env>-kv-rw` for the `vault-admins-<env>` group (seed 002). Seed 002 also granted `sudo`
 * on KV paths, which KV never checks, and `list` on `<kv>/*`; here admins get write on
 * their prefixes and list on the metadata tree that the UI and CLI browse.
 */
export function adminPolicy(mount: string, env: string, prefixes: readonly string[]): PolicyDocument {
  const rules: PolicyRule[] = [{ path: naming.kvMetadataPath(mount, ""), capabilities: ["list"] }];
  for (const prefix of prefixes) {
    rules.push({ path: `${naming.kvDataPath(mount, `${prefix}/`)}*`, capabilities: ["create", "read", "update", "patch", "delete"] });
    rules.push({ path: `${naming.kvMetadataPath(mount, `${prefix}/`)}*`, capabilities: ["read", "list", "delete"] });
  }
  return { name: naming.adminPolicy(env), purpose: `read-write on ${prefixes.map((p) => `${mount}/${p}/`).join(", ")} for ${naming.adminGroup(env)}`, rules };
}
