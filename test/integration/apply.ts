// Applies the Vault side of a stack, exactly as the program registered it under the mock runtime,
// to a real server through its HTTP API: what pulumi-vault does on `pulumi up`. A resource
// registered with the `import` option is read first (import fails when it is missing) and then
// brought to the registered inputs (the engine imports, then updates on a diff); any other
// resource is created, so an existing mount or auth path fails as it does for pulumi-vault
// ("path is already in use"), and a policy or role of the same name is overwritten, as it is.
import { plain, type RegisteredResource } from "../../preview/record";
import type { VaultClient } from "./vaultClient";

export interface Applied {
  mounts: number;
  policies: number;
  authBackends: number;
  roles: number;
  kvSecrets: number;
  /** Resources adopted through their import id. */
  imported: string[];
  skipped: string[];
}

const ORDER = [
  "vault:index/mount:Mount",
  "vault:index/policy:Policy",
  "vault:index/authBackend:AuthBackend",
  "vault:appRole/authBackendRole:AuthBackendRole",
  "vault:generic/endpoint:Endpoint",
  "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  "vault:kubernetes/authBackendRole:AuthBackendRole",
  "vault:kv/secretV2:SecretV2",
];

interface Inputs {
  [key: string]: unknown;
}

/** Import: the object must exist at its id, as the provider's Read requires. */
async function mustExist(vault: VaultClient, r: RegisteredResource, path: string): Promise<void> {
  const found = await vault.request("GET", path);
  if (found.status !== 200) throw new Error(`${r.type} ${r.name}: import of ${r.importId} failed: the object does not exist (${found.status})`);
}

/**
 * What seed 002's runbook made by hand before the first `up`, on a fresh server: each auth mount
 * the stack declares adopted (`adopt.vault.authBackends`), enabled and given its host as
 * `vault auth enable` and `vault write auth/<path>/config kubernetes_host=…` did. The apply then
 * imports them, as `pulumi up` does. Returns the paths it made.
 */
export async function makeAdoptedAuthMounts(vault: VaultClient, resources: readonly RegisteredResource[]): Promise<string[]> {
  const made: string[] = [];
  for (const r of resources.filter((x) => x.type === "vault:index/authBackend:AuthBackend" && x.importId)) {
    const path = r.importId!;
    if ((await vault.request("GET", `sys/auth/${path}`)).status === 200) continue;
    await vault.must("POST", `sys/auth/${path}`, { type: (plain(r.inputs) as Inputs).type });
    const config = resources.map((c) => (c.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig" ? (plain(c.inputs) as Inputs) : undefined)).find((c) => c?.backend === path);
    if (config) await vault.must("POST", `auth/${path}/config`, { kubernetes_host: config.kubernetesHost, kubernetes_ca_cert: config.kubernetesCaCert, disable_local_ca_jwt: config.disableLocalCaJwt });
    made.push(path);
  }
  return made;
}

export async function applyVaultSide(vault: VaultClient, resources: readonly RegisteredResource[]): Promise<Applied> {
  const applied: Applied = { mounts: 0, policies: 0, authBackends: 0, roles: 0, kvSecrets: 0, imported: [], skipped: [] };
  const vaultResources = resources.filter((r) => r.custom && !r.read && r.type.startsWith("vault:"));
  const sorted = [...vaultResources].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  for (const r of sorted) {
    const i = plain(r.inputs) as Inputs;
    if (r.importId) applied.imported.push(`${r.type} ${r.importId}`);
    switch (r.type) {
      case "vault:index/mount:Mount":
        if (r.importId) {
          await mustExist(vault, r, `sys/mounts/${r.importId}`);
          await vault.must("POST", `sys/mounts/${String(i.path)}/tune`, { description: i.description, options: i.options });
        } else {
          await vault.must("POST", `sys/mounts/${String(i.path)}`, { type: i.type, description: i.description, options: i.options });
        }
        applied.mounts++;
        break;
      case "vault:index/policy:Policy":
        await vault.must("PUT", `sys/policies/acl/${String(i.name)}`, { policy: i.policy });
        applied.policies++;
        break;
      case "vault:index/authBackend:AuthBackend":
        if (r.importId) {
          await mustExist(vault, r, `sys/auth/${r.importId}`);
          await vault.must("POST", `sys/auth/${String(i.path)}/tune`, { description: i.description });
        } else {
          await vault.must("POST", `sys/auth/${String(i.path)}`, { type: i.type, description: i.description });
        }
        applied.authBackends++;
        break;
      case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
        if (r.importId) await mustExist(vault, r, r.importId);
        await vault.must("POST", `auth/${String(i.backend)}/config`, {
          kubernetes_host: i.kubernetesHost,
          kubernetes_ca_cert: i.kubernetesCaCert,
          disable_local_ca_jwt: i.disableLocalCaJwt,
          ...(i.tokenReviewerJwt ? { token_reviewer_jwt: i.tokenReviewerJwt } : {}),
        });
        break;
      case "vault:kubernetes/authBackendRole:AuthBackendRole":
        if (r.importId) await mustExist(vault, r, r.importId);
        await vault.must("POST", `auth/${String(i.backend)}/role/${String(i.roleName)}`, {
          bound_service_account_names: i.boundServiceAccountNames,
          bound_service_account_namespaces: i.boundServiceAccountNamespaces,
          audience: i.audience,
          alias_name_source: i.aliasNameSource,
          token_policies: i.tokenPolicies,
          token_ttl: i.tokenTtl,
          token_max_ttl: i.tokenMaxTtl,
        });
        applied.roles++;
        break;
      case "vault:appRole/authBackendRole:AuthBackendRole":
        await vault.must("POST", `auth/${String(i.backend)}/role/${String(i.roleName)}`, { token_policies: i.tokenPolicies, token_no_default_policy: i.tokenNoDefaultPolicy ?? false });
        applied.roles++;
        break;
      case "vault:generic/endpoint:Endpoint":
        // A raw write: the body as written (a userpass user, a role of any method…).
        await vault.must("POST", String(i.path), JSON.parse(String(i.dataJson)));
        break;
      case "vault:kv/secretV2:SecretV2":
        if (r.importId) await mustExist(vault, r, r.importId);
        await vault.must("POST", `${String(i.mount)}/data/${String(i.name)}`, { data: JSON.parse(String(i.dataJson)) });
        applied.kvSecrets++;
        break;
      default:
        // Identity groups need an OIDC mount and a provider; they play no part in tenant isolation.
        applied.skipped.push(r.type);
    }
  }
  return applied;
}
