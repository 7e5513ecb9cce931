// Adoption: which Vault and Kubernetes objects already exist on the platform, so the first
// `pulumi up` imports them (the `import` resource option) instead of failing on "path is already
// in use" or AlreadyExists. Pure: the ids are the ones the providers' import docs name
// (@pulumi/vault 7.8.0 `## Import` sections; pulumi-kubernetes `<namespace>/<name>`).
import { z } from "zod";

/** Import ids, per resource type, exactly as the providers expect them. */
export const importId = {
  /** vault.Mount: the mount path. */
  mount: (path: string) => path,
  /** vault.AuthBackend: the auth mount path (without `auth/`). */
  authBackend: (path: string) => path,
  /** vault.kubernetes.AuthBackendConfig: `auth/<path>/config`. */
  authConfig: (path: string) => `auth/${path}/config`,
  /** vault.Policy: the policy name. */
  policy: (name: string) => name,
  /** vault.kubernetes.AuthBackendRole: `auth/<path>/role/<name>`. */
  role: (path: string, name: string) => `auth/${path}/role/${name}`,
  /** vault.kv.SecretV2: `<mount>/data/<name>`. */
  kv: (mount: string, name: string) => `${mount}/data/${name}`,
  /** Any namespaced Kubernetes object: `<namespace>/<name>`; cluster-scoped: `<name>`. */
  kubernetes: (name: string, namespace?: string) => (namespace ? `${namespace}/${name}` : name),
} as const;

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: "must be the UUID Vault assigned (vault read -field=id identity/group/name/<name>)" });

const vaultAdoptSchema = z.strictObject({
  /** KV mount paths, e.g. `secret` (seed 002's runbook mounted it by hand). */
  mounts: z.array(z.string().min(1)).default([]),
  /** Kubernetes auth mount paths, e.g. `spoke-dc-v6-k8s`: adopts the mount and its config. */
  authBackends: z.array(z.string().min(1)).default([]),
  /** ACL policy names. */
  policies: z.array(z.string().min(1)).default([]),
  /** Roles as `<auth path>/<role>`, e.g. `spoke-dc-v6-k8s/apps-spoke-dc-v6-platform`. */
  roles: z.array(z.string().regex(/^[^/]+\/[^/]+$/, { message: "must be <auth path>/<role name>" })).default([]),
  /** KV v2 secrets as `<mount>/<name>`, e.g. `secret/apps/platform/_canary`. */
  kvSecrets: z.array(z.string().regex(/^[^/]+\/.+$/, { message: "must be <mount>/<name>" })).default([]),
  /** Identity groups by name: Vault imports them by the id it assigned, which only the server knows. */
  groups: z.record(z.string(), uuid).default({}),
  /** Group aliases by the alias name, with the alias id. */
  groupAliases: z.record(z.string(), uuid).default({}),
});

export const adoptSchema = z.strictObject({
  /** Adopt every object the program would create: the first `up` on a platform built by hand. */
  all: z.boolean().default(false),
  vault: vaultAdoptSchema.default(vaultAdoptSchema.parse({})),
  /** Kubernetes objects as `<Kind>/<namespace>/<name>` or `<Kind>/<name>` (cluster-scoped). */
  kubernetes: z.array(z.string().regex(/^[A-Za-z]+\/([a-z0-9.-]+\/)?[a-z0-9.-]+$/, { message: "must be <Kind>/<namespace>/<name> or <Kind>/<name>" })).default([]),
});

export type AdoptSettings = z.infer<typeof adoptSchema>;

export type AdoptKind = "mount" | "authBackend" | "authConfig" | "policy" | "role" | "kv" | "group" | "groupAlias" | "kubernetes";

/**
 * What this stack declared as existing. Components ask it for the import id of each object
 * they create; it answers the provider's id when the object is declared (or `all`), and
 * remembers every declaration asked for so that a misspelt one is an error, not a silent create.
 */
export class Adoption {
  private readonly asked = new Set<string>();

  constructor(private readonly settings: AdoptSettings = adoptSchema.parse({})) {}

  get all(): boolean {
    return this.settings.all;
  }

  /** The import id for an object, or undefined when it is to be created. */
  importId(kind: AdoptKind, key: string, id: string): string | undefined {
    const declared = this.declared(kind, key);
    this.asked.add(`${kind}:${key}`);
    if (kind === "group" || kind === "groupAlias") return declared;
    return declared !== undefined || this.settings.all ? id : undefined;
  }

  /** Resource options for an object: `{ import: id }` when it is adopted. */
  options(kind: AdoptKind, key: string, id: string): { import?: string } {
    const found = this.importId(kind, key, id);
    return found === undefined ? {} : { import: found };
  }

  /** Resource options for a Kubernetes object, declared as `<Kind>/<namespace>/<name>`. */
  kubernetes(kind: string, name: string, namespace?: string): { import?: string } {
    return this.options("kubernetes", kubernetesKey(kind, name, namespace), importId.kubernetes(name, namespace));
  }

  /** Declarations no object of the program matched (typos, objects of another stack). */
  unused(): string[] {
    const v = this.settings.vault;
    const declared: Array<[AdoptKind, string]> = [
      ...v.mounts.map((k): [AdoptKind, string] => ["mount", k]),
      ...v.authBackends.map((k): [AdoptKind, string] => ["authBackend", k]),
      ...v.policies.map((k): [AdoptKind, string] => ["policy", k]),
      ...v.roles.map((k): [AdoptKind, string] => ["role", k]),
      ...v.kvSecrets.map((k): [AdoptKind, string] => ["kv", k]),
      ...Object.keys(v.groups).map((k): [AdoptKind, string] => ["group", k]),
      ...Object.keys(v.groupAliases).map((k): [AdoptKind, string] => ["groupAlias", k]),
      ...this.settings.kubernetes.map((k): [AdoptKind, string] => ["kubernetes", k]),
    ];
    return declared.filter(([kind, key]) => !this.asked.has(`${kind}:${key}`)).map(([kind, key]) => `${kind} ${key}`);
  }

  private declared(kind: AdoptKind, key: string): string | undefined {
    const v = this.settings.vault;
    const has = (list: readonly string[]) => (list.includes(key) ? key : undefined);
    switch (kind) {
      case "mount":
        return has(v.mounts);
      case "authBackend":
      case "authConfig":
        return has(v.authBackends);
      case "policy":
        return has(v.policies);
      case "role":
        return has(v.roles);
      case "kv":
        return has(v.kvSecrets);
      case "group":
        return v.groups[key];
      case "groupAlias":
        return v.groupAliases[key];
      case "kubernetes":
        return has(this.settings.kubernetes);
    }
  }
}

/** The key a Kubernetes object is declared under in `adopt.kubernetes`. */
export function kubernetesKey(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

/** Group adoption needs ids only the server knows: `all` cannot supply them. */
export function missingGroupIds(settings: AdoptSettings, groups: readonly string[]): string[] {
  if (!settings.all) return [];
  return groups.flatMap((g) => [
    ...(settings.vault.groups[g] === undefined ? [`vault.groups.${g}`] : []),
    ...(settings.vault.groupAliases[g] === undefined ? [`vault.groupAliases.${g}`] : []),
  ]);
}
