// The whole desired state of one stack as plain data: every name, binding, policy
// document and ESO manifest. Components only turn this into resources, so the plan can
// be unit- and property-tested without Pulumi, and the policy pack judges the result.
import { OPT_IN_VALUE, optInLabel, selectsNamespace, type CatalogueEntry } from "./catalogue";
import type { ClusterConfig, StackConfig } from "./config";
import * as eso from "./eso";
import * as naming from "./naming";
import { ciTenantsOn, divisionsOf, namespacesOn, type Tenant, type TenantNamespace } from "./tenants";
import * as policies from "./vaultPolicy";
import { egressPolicyWanted } from "./clusterAccess";

export interface DivisionPlan {
  division: string;
  policy: policies.PolicyDocument;
  canaryKey: string;
}

export interface AdminGroupPlan {
  env: string;
  group: string;
  oidcMountPath: string;
  policy: policies.PolicyDocument;
}

export interface FoundationPlan {
  kvMount: string;
  divisions: DivisionPlan[];
  adminGroups: AdminGroupPlan[];
}

export interface RolePlan {
  name: string;
  serviceAccounts: string[];
  namespaces: string[];
  policies: string[];
  audience: string;
  tokenTtl: number;
  tokenMaxTtl: number;
}

export interface TenantNamespacePlan extends TenantNamespace {
  labels: Record<string, string>;
  role: string;
  policy: string;
  store: eso.EsoManifest;
  canary: eso.EsoManifest;
  imagePullSecrets: string[];
  /** Every registry Secret this cluster's catalogue distributes: the only names the program may take off `default`. */
  platformPullSecrets: string[];
  vaultPathPrefix: string;
}

export interface DivisionRolePlan {
  division: string;
  role: RolePlan;
}

export interface PipelinesPlan {
  role: RolePlan;
  policy: policies.PolicyDocument;
  store: eso.EsoManifest;
  ciSecrets: Array<{ team: string; division: string; app: string; vaultKey: string; manifest: eso.EsoManifest }>;
}

/** One catalogue entry: its ClusterExternalSecret, and the generator it reads when generated per namespace. */
export interface DistributedSecretPlan {
  entry: CatalogueEntry;
  fanout: eso.EsoManifest;
  clusterGenerator?: eso.EsoManifest;
}

/** Generated values written to Vault through the primary (seed 003), from ESO's namespace. */
export interface PushPlan {
  namespace: string;
  serviceAccount: string;
  role: RolePlan;
  policy: policies.PolicyDocument;
  store: eso.EsoManifest;
  secrets: Array<{ entry: string; generator: eso.EsoManifest; pushSecret: eso.EsoManifest }>;
}

export interface EgressPlan {
  namespace: string;
  podSelector: Record<string, string>;
  vaultCidrs: string[];
  /** The primary's port, and the read replica's when it differs. */
  vaultPorts: number[];
  dnsNamespace: string;
  dnsPorts: number[];
  /** The API server's range and port, so the policy never cuts ESO off from it. */
  apiServer?: { cidrs: string[]; port: number };
}

export interface ClusterPlan {
  config: ClusterConfig;
  vault: eso.VaultConnection;
  esoApiVersion: eso.EsoApiVersion;
  platform: { role: RolePlan; policy: policies.PolicyDocument; store: eso.EsoManifest };
  /** The secret catalogue, seed 000's pull secrets first. */
  catalogue: DistributedSecretPlan[];
  push?: PushPlan;
  divisionRoles: DivisionRolePlan[];
  tenants: TenantNamespacePlan[];
  pipelines?: PipelinesPlan;
  /** Absent unless ESO's namespace is declared default-deny or the API server is allowed (model/clusterAccess.ts). */
  egress?: EgressPlan;
  /** Every policy a role of this stack lists that the foundation must provide. */
  foundationPolicies: string[];
}

export interface StackPlan {
  stack: string;
  foundation?: FoundationPlan;
  foundationStack?: string;
  cluster?: ClusterPlan;
}

export function planStack(stack: string, config: StackConfig, tenants: readonly Tenant[]): StackPlan {
  const plan: StackPlan = { stack };
  if (config.foundation) plan.foundation = planFoundation(config, tenants);
  if (config.foundationStack) plan.foundationStack = config.foundationStack;
  if (config.cluster) plan.cluster = planCluster(config, config.cluster, tenants);
  return plan;
}

export function planFoundation(config: StackConfig, tenants: readonly Tenant[]): FoundationPlan {
  const mount = config.vault.kvMount;
  return {
    kvMount: mount,
    divisions: divisionsOf(tenants).map((division) => ({ division, policy: policies.divisionReadPolicy(mount, division), canaryKey: naming.canaryKey(division) })),
    adminGroups: (config.foundation?.adminGroups ?? []).map((g) => ({
      env: g.env,
      group: naming.adminGroup(g.env),
      oidcMountPath: g.oidcMountPath,
      policy: policies.adminPolicy(mount, g.env, g.prefixes),
    })),
  };
}

function vaultPort(address: string): number {
  const url = new URL(address);
  if (url.port) return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

export function planCluster(config: StackConfig, cluster: ClusterConfig, tenants: readonly Tenant[]): ClusterPlan {
  const api = cluster.eso.apiVersion;
  // Stores read through the local replica when there is one; only the push store writes to the primary.
  const vault: eso.VaultConnection = { server: cluster.readReplica ?? config.vault.address, kvMount: config.vault.kvMount, authPath: cluster.authPath, audience: config.vault.audience };
  const role = (name: string, serviceAccounts: string[], namespaces: string[], rolePolicies: string[]): RolePlan => ({
    name,
    serviceAccounts,
    namespaces,
    policies: rolePolicies,
    audience: config.vault.audience,
    tokenTtl: config.vault.tokenTtlSeconds,
    tokenMaxTtl: config.vault.tokenMaxTtlSeconds,
  });

  const platformPolicy = policies.platformPolicy(config.vault.kvMount, cluster.name, cluster.catalogue.flatMap(vaultKeysRead));
  const platformRole = role(naming.platformRole(cluster.name), [cluster.eso.serviceAccount], [cluster.eso.namespace], [platformPolicy.name]);
  const pullSecretEntries = cluster.catalogue.filter((e) => e.format.type === "dockerconfigjson");

  const namespaces = namespacesOn(tenants, cluster.name);
  const divisions = [...new Set(namespaces.map((n) => n.division))].sort();
  const divisionRoles = divisions.map((division) => ({
    division,
    role: role(
      naming.tenantRole(cluster.name, division),
      [naming.TENANT_SERVICE_ACCOUNT],
      namespaces.filter((n) => n.division === division).map((n) => n.namespace),
      [naming.divisionReadPolicy(division)],
    ),
  }));

  const tenantPlans = namespaces.map((n): TenantNamespacePlan => {
    const roleName = naming.tenantRole(cluster.name, n.division);
    const labels = tenantLabels(n);
    return {
      ...n,
      labels,
      role: roleName,
      policy: naming.divisionReadPolicy(n.division),
      store: eso.namespacedStore(api, vault, naming.TENANT_STORE, n.namespace, roleName, naming.TENANT_SERVICE_ACCOUNT),
      canary: eso.canarySecret(api, n.namespace, n.division, cluster.eso.refreshInterval),
      // Every registry Secret delivered here, decided by the same selector the ClusterExternalSecret carries.
      imagePullSecrets: [...new Set(pullSecretEntries.filter((e) => selectsNamespace(e, n.namespace, labels)).map((e) => e.secretName))],
      // The built-in names stay the platform's when switched off (quayPull: false), so turning one
      // off takes it off `default` too.
      platformPullSecrets: [...new Set([...naming.PULL_SECRETS, ...pullSecretEntries.map((e) => e.secretName)])],
      vaultPathPrefix: `${config.vault.kvMount}/${naming.divisionKeyPrefix(n.division)}`,
    };
  });

  const robots = ciTenantsOn(tenants, cluster.name);
  let pipelines: PipelinesPlan | undefined;
  if (robots.length > 0) {
    const policy = policies.pipelinesPolicy(config.vault.kvMount, cluster.name, robots);
    const pipelinesRole = role(naming.pipelinesRole(cluster.name), [naming.PIPELINES_SERVICE_ACCOUNT], [naming.PIPELINES_NAMESPACE], [policy.name]);
    pipelines = {
      role: pipelinesRole,
      policy,
      store: eso.namespacedStore(api, vault, naming.PIPELINES_STORE, naming.PIPELINES_NAMESPACE, pipelinesRole.name, naming.PIPELINES_SERVICE_ACCOUNT),
      ciSecrets: robots.map((r) => ({
        team: r.team,
        division: r.division,
        app: r.app,
        vaultKey: naming.ciRobotKey(r.division, r.app),
        manifest: eso.ciRobotSecret(api, r, cluster.ci, cluster.eso.refreshInterval),
      })),
    };
  }

  return {
    config: cluster,
    vault,
    esoApiVersion: api,
    platform: {
      role: platformRole,
      policy: platformPolicy,
      store: eso.platformStore(api, vault, platformRole.name, cluster.eso),
    },
    catalogue: cluster.catalogue.map((entry) => ({
      entry,
      fanout: eso.distributedSecret(api, entry, cluster.pullSecrets.refreshTime),
      ...(entry.source.kind === "generated" && entry.source.via === "externalsecret" ? { clusterGenerator: eso.clusterGenerator({ ...entry, source: entry.source }) } : {}),
    })),
    ...planPush(config, cluster, role),
    divisionRoles,
    tenants: tenantPlans,
    ...(pipelines ? { pipelines } : {}),
    ...(egressPolicyWanted(cluster.eso.egress)
      ? {
          egress: {
            namespace: cluster.eso.namespace,
            podSelector: cluster.eso.podSelector,
            vaultCidrs: cluster.egressCidrs,
            vaultPorts: [...new Set([config.vault.address, ...(cluster.readReplica ? [cluster.readReplica] : [])].map(vaultPort))],
            dnsNamespace: cluster.eso.dns.namespace,
            dnsPorts: cluster.eso.dns.ports,
            ...(cluster.eso.egress.apiServer ? { apiServer: cluster.eso.egress.apiServer } : {}),
          },
        }
      : {}),
    foundationPolicies: divisions.map(naming.divisionReadPolicy),
  };
}

/** A tenant namespace's labels: the tenant label, its coordinates, and one opt-in label per catalogue entry it chose. */
function tenantLabels(n: TenantNamespace): Record<string, string> {
  return {
    [naming.TENANT_LABEL]: naming.TENANT_LABEL_VALUE,
    ...eso.STANDARD_LABELS,
    [naming.DIVISION_LABEL]: n.division,
    [naming.APP_LABEL]: n.app,
    [naming.ENV_LABEL]: n.env,
    ...(n.team ? { [naming.TEAM_LABEL]: n.team } : {}),
    ...Object.fromEntries((n.secrets ?? []).map((s) => [optInLabel(s), OPT_IN_VALUE])),
  };
}

/** The KV keys the platform store reads for an entry (none for one generated per namespace). */
function vaultKeysRead(entry: CatalogueEntry): string[] {
  const src = entry.source;
  return src.kind === "vault" || src.via === "pushsecret" ? [src.key] : [];
}

type RoleFactory = (name: string, serviceAccounts: string[], namespaces: string[], rolePolicies: string[]) => RolePlan;

/** The push side, when some entry writes a generated value to Vault: its own ServiceAccount, role, write policy and store on the primary. */
function planPush(config: StackConfig, cluster: ClusterConfig, role: RoleFactory): { push?: PushPlan } {
  const pushed = cluster.catalogue.flatMap((entry) => (entry.source.kind === "generated" && entry.source.via === "pushsecret" ? [{ ...entry, source: entry.source }] : []));
  if (pushed.length === 0) return {};
  const namespace = cluster.eso.namespace;
  const policy = policies.platformPushPolicy(config.vault.kvMount, cluster.name, pushed.map((e) => e.source.key));
  const pushRole = role(naming.platformPushRole(cluster.name), [naming.PUSH_SERVICE_ACCOUNT], [namespace], [policy.name]);
  const primary: eso.VaultConnection = { server: config.vault.address, kvMount: config.vault.kvMount, authPath: cluster.authPath, audience: config.vault.audience };
  return {
    push: {
      namespace,
      serviceAccount: naming.PUSH_SERVICE_ACCOUNT,
      role: pushRole,
      policy,
      store: eso.namespacedStore(cluster.eso.apiVersion, primary, naming.PUSH_STORE, namespace, pushRole.name, naming.PUSH_SERVICE_ACCOUNT),
      secrets: pushed.map((entry) => ({
        entry: entry.name,
        generator: eso.namespacedGenerator(entry, namespace),
        pushSecret: eso.pushSecret(entry, namespace, naming.PUSH_STORE),
      })),
    },
  };
}

/** Every ServiceAccount a Vault role of this cluster binds, as `namespace/name`. */
export function vaultClients(cluster: ClusterPlan): Array<{ namespace: string; name: string }> {
  const roles = [cluster.platform.role, ...cluster.divisionRoles.map((d) => d.role), ...(cluster.pipelines ? [cluster.pipelines.role] : []), ...(cluster.push ? [cluster.push.role] : [])];
  const seen = new Map<string, { namespace: string; name: string }>();
  for (const r of roles) for (const ns of r.namespaces) for (const sa of r.serviceAccounts) seen.set(`${ns}/${sa}`, { namespace: ns, name: sa });
  return [...seen.values()];
}
