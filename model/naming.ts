// The single source of every Vault and Kubernetes object name. The program builds
// resources from these functions and the policy pack checks resources against them,
// so a rename here changes both sides at once. Pure: no Pulumi imports.

/** Label that opts a namespace into the platform's secret distribution (seed 000). */
export const TENANT_LABEL = "apps.platform/tenant";
export const TENANT_LABEL_VALUE = "true";
/** Labels naming a tenant namespace's coordinates; the policy pack's catalogue is built from them. */
export const DIVISION_LABEL = "apps.platform/division";
export const APP_LABEL = "apps.platform/app";
export const ENV_LABEL = "apps.platform/env";
/** The Quay team whose CI Secret reads this tenant's robot (seed 001), on tenants that have one. */
export const TEAM_LABEL = "apps.platform/team";

export const TENANT_SERVICE_ACCOUNT = "app-eso";
export const TENANT_STORE = "vault-apps";
export const TENANT_CANARY = "vault-apps-canary";
export const PLATFORM_STORE = "vault-platform";
export const PIPELINES_NAMESPACE = "openshift-pipelines";
export const PIPELINES_STORE = "pipelines-vault-apps";
export const PIPELINES_SERVICE_ACCOUNT = "pipelines-vault-apps";
export const REVIEWER_SERVICE_ACCOUNT = "eso-vault-auth";
export const REVIEWER_TOKEN_SECRET = "eso-vault-auth-token";
export const REVIEWER_BINDING = "eso-vault-auth-delegator";
export const CLIENT_JWT_BINDING = "eso-vault-clients-auth-delegator";
export const EGRESS_POLICY = "eso-allow-egress-to-vault";
export const DEFAULT_SERVICE_ACCOUNT = "default";
/** The namespaced store in ESO's namespace that PushSecrets write through: the primary only (seed 003). */
export const PUSH_STORE = "vault-platform-push";
export const PUSH_SERVICE_ACCOUNT = "eso-vault-push";

/** Pull secrets the platform can fan out; `app-registry-pull` is always on (seed 000). */
export const PULL_SECRETS = ["app-registry-pull", "quay-pull"] as const;
export type PullSecretName = (typeof PULL_SECRETS)[number];

/** The KV field each pull secret's Vault value keeps its dockerconfigjson under. */
export const PULL_SECRET_PROPERTY = "dockerconfigjson";
export const CI_ROBOT_FIELDS = ["username", "token"] as const;
export const CANARY_PROPERTY = "value";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_MAX = 63;

/** Why `name` is not a DNS-1123 label, or undefined when it is one. */
export function dns1123Problem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > DNS1123_MAX) return `is ${name.length} characters long (DNS-1123 allows at most ${DNS1123_MAX})`;
  if (!DNS1123_LABEL.test(name)) {
    return "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
  }
  return undefined;
}

export function isDns1123Label(name: string): boolean {
  return dns1123Problem(name) === undefined;
}

export interface TenantCoordinates {
  division: string;
  app: string;
  env: string;
}

export const TENANT_NAMESPACE_PREFIX = "apps-";

export function tenantNamespace(t: TenantCoordinates): string {
  return `${TENANT_NAMESPACE_PREFIX}${t.division}-${t.app}-${t.env}`;
}

export function divisionReadPolicy(division: string): string {
  return `apps-${division}-read`;
}

export function tenantRole(cluster: string, division: string): string {
  return `apps-${cluster}-${division}`;
}

export function authPath(cluster: string): string {
  return `${cluster}-k8s`;
}

export function platformRole(cluster: string): string {
  return `platform-${cluster}`;
}

/** Read on the keys of this cluster's secret catalogue (seed 000's registries among them). */
export function platformPolicy(cluster: string): string {
  return `platform-${cluster}-read`;
}

export function platformPushRole(cluster: string): string {
  return `platform-${cluster}-push`;
}

/** Write on the exact keys this cluster's PushSecrets fill. */
export function platformPushPolicy(cluster: string): string {
  return `platform-${cluster}-push-write`;
}

/** This cluster's own KV subtree: the only keys the platform store reads and PushSecrets write. */
export function platformKeyPrefix(cluster: string): string {
  return `ocp/${cluster}/`;
}

export function pipelinesRole(cluster: string): string {
  return `pipelines-${cluster}`;
}

export function pipelinesPolicy(cluster: string): string {
  return `pipelines-${cluster}-quay-robot-read`;
}

export function ciSecret(team: string): string {
  return `quay-robot-team-${team}`;
}

export function adminGroup(env: string): string {
  return `vault-admins-${env}`;
}

export function adminPolicy(env: string): string {
  return `${env}-kv-rw`;
}

// KV keys as ESO sees them (relative to the mount: ESO inserts `data/` itself).

export function divisionKeyPrefix(division: string): string {
  return `apps/${division}/`;
}

export function ciRobotKey(division: string, app: string): string {
  return `apps/${division}/${app}/ci/quay-robot`;
}

export function canaryKey(division: string): string {
  return `apps/${division}/_canary`;
}

export function registriesKeyPrefix(cluster: string): string {
  return `${platformKeyPrefix(cluster)}registries/`;
}

export function registryKey(cluster: string, secret: string): string {
  return `${registriesKeyPrefix(cluster)}${secret}`;
}

// Paths Vault (and OpenBao) keep for themselves: mounting there fails at `pulumi up`, after the
// stacks around it were planned against it.

/** Secret-engine mount paths Vault refuses (vault/mount.go `protectedMounts`). */
export const VAULT_RESERVED_MOUNTS = ["audit", "auth", "cubbyhole", "identity", "sys"] as const;
/** Auth mount paths Vault refuses: the token method is built in at auth/token and cannot move. */
export const VAULT_RESERVED_AUTH_PATHS = ["token"] as const;

/** Why `path` cannot be a mount of this kind, or undefined when it can. */
export function reservedPathProblem(path: string, kind: "mount" | "auth"): string | undefined {
  const reserved: readonly string[] = kind === "mount" ? VAULT_RESERVED_MOUNTS : VAULT_RESERVED_AUTH_PATHS;
  if (!reserved.includes(path)) return undefined;
  return kind === "mount"
    ? `"${path}" is reserved by Vault (${reserved.map((r) => `${r}/`).join(", ")} are its own); choose another mount path, e.g. secret`
    : `"${path}" is reserved by Vault (auth/token is its built-in token method); choose another path, e.g. the default <cluster>-k8s`;
}

// Vault API paths that policies grant on.

export function kvDataPath(mount: string, key: string): string {
  return `${mount}/data/${key}`;
}

export function kvMetadataPath(mount: string, key: string): string {
  return `${mount}/metadata/${key}`;
}
