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

const vaultAdoptSchema = z
  .strictObject({
    mounts: z.array(z.string().min(1)).default([]).describe("KV mount paths that exist, e.g. secret (seed 002's runbook mounted it by hand). Import id: the path."),
    authBackends: z.array(z.string().min(1)).default([]).describe("Kubernetes auth mount paths that exist, e.g. spoke-dc-v6-k8s: adopts the mount (id: the path) and its config (id: auth/<path>/config)."),
    policies: z.array(z.string().min(1)).default([]).describe("ACL policy names that exist. Import id: the name."),
    roles: z
      .array(z.string().regex(/^[^/]+\/[^/]+$/, { message: "must be <auth path>/<role name>" }))
      .default([])
      .describe("Kubernetes auth roles that exist, as <auth-path>/<role>, e.g. spoke-dc-v6-k8s/apps-spoke-dc-v6-platform. Import id: auth/<path>/role/<name>."),
    kvSecrets: z
      .array(z.string().regex(/^[^/]+\/.+$/, { message: "must be <mount>/<name>" }))
      .default([])
      .describe("KV v2 secrets that exist, as <mount>/<name>, e.g. secret/apps/platform/_canary. Import id: <mount>/data/<name>."),
    groups: z
      .record(z.string(), uuid)
      .default({})
      .describe("Identity groups that exist: group name to id. Vault imports them by the UUID it assigned (vault read -field=id identity/group/name/<name>). Checked: required for every admin group with all: true."),
    groupAliases: z
      .record(z.string(), uuid)
      .default({})
      .describe("Group aliases that exist: alias name to alias id. Checked: required for every admin group with all: true."),
  })
  .describe("Vault objects that already exist.");

export const adoptSchema = z
  .strictObject({
    all: z.boolean().default(false).describe("Every object this stack creates exists already: the first up on a platform built by hand. Identity groups and aliases still need their ids under vault."),
    vault: vaultAdoptSchema.default(vaultAdoptSchema.parse({})),
    kubernetes: z
      .array(z.string().regex(/^[A-Za-z]+\/([a-z0-9.-]+\/)?[a-z0-9.-]+$/, { message: "must be <Kind>/<namespace>/<name> or <Kind>/<name>" }))
      .default([])
      .describe("Kubernetes objects that exist (ESO custom resources included), as <Kind>/<namespace>/<name> or <Kind>/<name> for a cluster-scoped one. Import id: <namespace>/<name> or <name>."),
  })
  .describe(
    "Objects that already exist and are imported (Pulumi's import option, with the id the provider expects) instead of created: the first pulumi up on a running platform. Checked when the program runs: a declared object this stack does not create stops the run (a typo would otherwise create instead of adopt). Remove the entries once the first up has succeeded.",
  );

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
