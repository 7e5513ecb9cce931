// The typed contract other stacks consume. `planOutputs` computes it from the plan, so the
// offline preview and the foundation reference see the same values the real stack exports.
// Reading it back from a StackReference is infra/outputs.ts's (it needs Pulumi).
import * as naming from "./naming";
import { entrySelector, type CatalogueEntry } from "./catalogue";
import type { LabelSelector } from "./labelSelector";
import type { StackPlan } from "./plan";

export interface FoundationOutputs {
  kvMount: string;
  /** division -> `apps-<division>-read` */
  divisionPolicies: Record<string, string>;
  /** division -> KV key of its canary value (relative to the mount) */
  canaryKeys: Record<string, string>;
  /** env -> the admin group and its policy */
  adminGroups: Record<string, { group: string; policy: string }>;
}

export interface TenantNamespaceOutputs {
  division: string;
  app: string;
  env: string;
  /** Vault role the namespace's `vault-apps` store logs in with. */
  role: string;
  /** Vault policy that role carries. */
  policy: string;
  store: string;
  serviceAccount: string;
  /** `<kv>/apps/<division>/`: where the tenant's secrets live (write them with `vault kv put`). */
  vaultPathPrefix: string;
}

export interface ClusterOutputs {
  cluster: string;
  authPath: string;
  kvMount: string;
  vaultAddress: string;
  platformStore: string;
  /** namespace -> what it uses */
  tenantNamespaces: Record<string, TenantNamespaceOutputs>;
  /** Seed 000's pull Secrets, fanned into every tenant namespace. */
  pullSecrets: string[];
  /** entry -> the Secret it delivers, its type, the KV key it reads (none when generated per namespace) and the selector of its ClusterExternalSecret */
  secretCatalogue: Record<string, { secret: string; type: string; vaultKey?: string; selector: LabelSelector }>;
  /** team -> its CI push Secret in openshift-pipelines and the KV key it reads */
  ciSecrets: Record<string, { namespace: string; secret: string; vaultKey: string }>;
}

export interface PlatformSecretsOutputs {
  foundation?: FoundationOutputs;
  cluster?: ClusterOutputs;
}

export function planOutputs(plan: StackPlan): PlatformSecretsOutputs {
  const out: PlatformSecretsOutputs = {};
  if (plan.foundation) {
    const f = plan.foundation;
    out.foundation = {
      kvMount: f.kvMount,
      divisionPolicies: Object.fromEntries(f.divisions.map((d) => [d.division, d.policy.name])),
      canaryKeys: Object.fromEntries(f.divisions.map((d) => [d.division, d.canaryKey])),
      adminGroups: Object.fromEntries(f.adminGroups.map((g) => [g.env, { group: g.group, policy: g.policy.name }])),
    };
  }
  if (plan.cluster) {
    const c = plan.cluster;
    out.cluster = {
      cluster: c.config.name,
      authPath: c.config.authPath,
      kvMount: c.vault.kvMount,
      vaultAddress: c.vault.server,
      platformStore: c.platform.store.metadata.name,
      tenantNamespaces: Object.fromEntries(
        c.tenants.map((t) => [
          t.namespace,
          { division: t.division, app: t.app, env: t.env, role: t.role, policy: t.policy, store: naming.TENANT_STORE, serviceAccount: naming.TENANT_SERVICE_ACCOUNT, vaultPathPrefix: t.vaultPathPrefix },
        ]),
      ),
      pullSecrets: c.catalogue.filter((d) => (naming.PULL_SECRETS as readonly string[]).includes(d.entry.name)).map((d) => d.entry.name),
      secretCatalogue: Object.fromEntries(c.catalogue.map((d) => [d.entry.name, catalogueOutput(d.entry)])),
      ciSecrets: Object.fromEntries(
        (c.pipelines?.ciSecrets ?? []).map((s) => [s.team, { namespace: naming.PIPELINES_NAMESPACE, secret: s.manifest.metadata.name, vaultKey: s.vaultKey }]),
      ),
    };
  }
  return out;
}

function catalogueOutput(e: CatalogueEntry): ClusterOutputs["secretCatalogue"][string] {
  const src = e.source;
  const vaultKey = src.kind === "vault" || src.via === "pushsecret" ? src.key : undefined;
  return { secret: e.secretName, type: e.secretType, ...(vaultKey ? { vaultKey } : {}), selector: entrySelector(e.selection) };
}
