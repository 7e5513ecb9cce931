// Applies the Vault side of a stack, as the program registered it under the mock runtime,
// to a real server through its HTTP API: what pulumi-vault would do on `pulumi up`.
import { plain, type RegisteredResource } from "../../preview/record";
import type { VaultClient } from "./vaultClient";

export interface ApplyOptions {
  /** The TokenReview endpoint standing in for the cluster's API server, and its CA. */
  kubernetesHost: string;
  kubernetesCaCert: string;
}

export interface Applied {
  mounts: number;
  policies: number;
  authBackends: number;
  roles: number;
  kvSecrets: number;
  skipped: string[];
}

const ORDER = [
  "vault:index/mount:Mount",
  "vault:index/policy:Policy",
  "vault:index/authBackend:AuthBackend",
  "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  "vault:kubernetes/authBackendRole:AuthBackendRole",
  "vault:kv/secretV2:SecretV2",
];

export async function applyVaultSide(vault: VaultClient, resources: readonly RegisteredResource[], opts: ApplyOptions): Promise<Applied> {
  const applied: Applied = { mounts: 0, policies: 0, authBackends: 0, roles: 0, kvSecrets: 0, skipped: [] };
  const vaultResources = resources.filter((r) => r.custom && !r.read && r.type.startsWith("vault:"));
  const sorted = [...vaultResources].sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type));
  for (const r of sorted) {
    const i = plain(r.inputs) as Record<string, any>;
    switch (r.type) {
      case "vault:index/mount:Mount": {
        const existing = await vault.request("GET", `sys/mounts/${i.path}`);
        if (existing.status !== 200) await vault.must("POST", `sys/mounts/${i.path}`, { type: i.type, description: i.description, options: i.options });
        applied.mounts++;
        break;
      }
      case "vault:index/policy:Policy":
        await vault.must("PUT", `sys/policies/acl/${i.name}`, { policy: i.policy });
        applied.policies++;
        break;
      case "vault:index/authBackend:AuthBackend": {
        const existing = await vault.request("GET", `sys/auth/${i.path}`);
        if (existing.status !== 200) await vault.must("POST", `sys/auth/${i.path}`, { type: i.type, description: i.description });
        applied.authBackends++;
        break;
      }
      case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
        // The recorded host and CA are the cluster's; here the TokenReview stand-in plays the API server.
        await vault.must("POST", `auth/${i.backend}/config`, {
          kubernetes_host: opts.kubernetesHost,
          kubernetes_ca_cert: opts.kubernetesCaCert,
          disable_local_ca_jwt: i.disableLocalCaJwt,
          ...(i.tokenReviewerJwt ? { token_reviewer_jwt: i.tokenReviewerJwt } : {}),
        });
        break;
      case "vault:kubernetes/authBackendRole:AuthBackendRole":
        await vault.must("POST", `auth/${i.backend}/role/${i.roleName}`, {
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
      case "vault:kv/secretV2:SecretV2":
        await vault.must("POST", `${i.mount}/data/${i.name}`, { data: JSON.parse(String(i.dataJson)) });
        applied.kvSecrets++;
        break;
      default:
        // Identity groups need an OIDC mount and a provider; they play no part in tenant isolation.
        applied.skipped.push(r.type);
    }
  }
  return applied;
}
