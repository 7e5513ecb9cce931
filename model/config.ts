// Stack configuration: the keys under `platform-secrets:` in stacks/Pulumi.<stack>.yaml.
// Everything is validated before a single resource is registered.
import { posix, win32 } from "node:path";
import { z } from "zod";
import { ConfigError, formatKeyPath, type ConfigIssue, type KeyPath } from "./configError";
import { checked, cidr, dnsLabel, dnsSubdomain, duration, hostPort, labels, PARSE_PARAMS, port, serverUrl, zodIssues } from "./schema";
import * as naming from "./naming";
import { adoptSchema, missingGroupIds, type AdoptSettings } from "./adoption";
import { apiServerCa, apiServerCaSchema, esoEgressSchema, trustProblems, type ApiServerCa } from "./clusterAccess";
import { catalogueSchema, resolveCatalogue, type CatalogueEntry } from "./catalogue";
import { stackReferenceProblem } from "./stackReference";

export const PROJECT = "platform-secrets";
/** Pulumi.yaml's `stackConfigDir`, where stack files and tenant catalogues live. */
export const STACKS_DIR = "stacks";

const kvPath = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: "must be one path segment of lower-case letters, digits, '-' or '_'" })
  .superRefine((s, ctx) => {
    const reserved = naming.reservedPathProblem(s, "mount");
    if (reserved) ctx.addIssue({ code: "custom", message: reserved });
  });

const kvPrefix = z
  .string()
  .regex(/^[a-z0-9_-]+(\/[a-z0-9_-]+)*$/, { message: "must be a KV path prefix like `apps` or `ocp/spoke-dc-v6`, without globs or slashes at the ends" });

const clusterSchema = z
  .strictObject({
    name: dnsLabel.describe("The cluster's name. It is in the name of every Vault object the stack creates (auth mount <name>-k8s, roles apps-<name>-<division>, platform-<name>, pipelines-<name>), and tenants deploy to it by this name."),
    apiServer: serverUrl(["https"]).describe("The API server's URL as Vault reaches it: Vault's kubernetes_host, where it sends TokenReviews."),
    kubeContext: z.string().min(1).optional().describe("kubeconfig context of the stack's Kubernetes provider. Default: the current context."),
    caCert: z
      .string()
      .regex(/^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, { message: "must be PEM: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----" })
      .optional()
      .describe("PEM chain of the certificate apiServer presents (a route or load balancer with its own certificate). Required with apiServerCa: configured, refused with cluster and system."),
    apiServerCa: apiServerCaSchema.optional(),
  })
  .describe("The cluster this stack wires to Vault. Leave it out for a foundation-only stack (the vault stack).");

const vaultSchema = z
  .strictObject({
    address: serverUrl(["https", "http"]).describe("Vault's or OpenBao's address: the Pulumi vault provider writes there, and every store reads there unless readReplica is set. The token comes from VAULT_TOKEN, never from config."),
    kvMount: kvPath.default("secret").describe("Path of the KV v2 mount that holds every secret the platform reads."),
    audience: z.string().min(1).default("vault").describe("Audience of the ServiceAccount tokens ESO presents, and the audience every role requires."),
    tokenTtlSeconds: z.int().positive().default(1200).describe("TTL of the tokens every role issues."),
    tokenMaxTtlSeconds: z.int().positive().default(3600).describe("Maximum TTL of the tokens every role issues. Checked: not below tokenTtlSeconds."),
    egressCidrs: z
      .array(cidr)
      .min(1)
      .optional()
      .describe("Vault's address range, for the eso-allow-egress-to-vault NetworkPolicy (seed 000: ESO hangs on login behind a default-deny policy without it). Checked: required on a cluster stack, refused on a foundation-only one; put the read replica's range here too."),
    /** A local read replica (seed 003: pull locally, write to the primary); `address` stays the primary. */
    readReplica: serverUrl(["https", "http"])
      .optional()
      .describe("This region's read replica (seed 003: pull locally, write to the primary). Every store reads through it; address stays the primary, where Pulumi and the PushSecrets write. Cluster stacks only."),
  })
  .describe("The Vault or OpenBao server, and what every role grants.");

const adminGroupSchema = z.strictObject({
  env: dnsLabel.describe("Environment: the group is vault-admins-<env>, its policy <env>-kv-rw. Checked: each env once."),
  oidcMountPath: z.string().min(1).default("oidc").describe("Path of the OIDC auth mount whose accessor the group alias is created on."),
  prefixes: z.array(kvPrefix).min(1).describe("KV path prefixes the group administers: write under <kv>/data/<prefix>/, read, list and delete under <kv>/metadata/<prefix>/."),
});

const foundationSchema = z
  .strictObject({
    stack: checked(stackReferenceProblem, "a stack as Pulumi names it: <stack>, <org>/<stack> or <org>/<project>/<stack>, each part letters, digits, '-', '_' or '.'", "stack reference")
      .optional()
      .describe("Read the foundation (KV mount, division policies, canaries) from this stack, <org>/platform-secrets/<stack>, instead of owning it. Leave it out on a single-cluster platform or on the foundation stack itself. Checked: a stack without cluster must own its foundation."),
    adminGroups: z
      .array(adminGroupSchema)
      .optional()
      .describe("Admin groups of the foundation: vault-admins-<env>, an external identity group with an alias on the OIDC mount, holding <env>-kv-rw. Checked: only on the stack that owns the foundation."),
  })
  .describe("Where the Vault objects global to one server live: owned by this stack, or read from another.");

const authSchema = z
  .strictObject({
    path: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "must be a single auth mount path segment" })
      .superRefine((s, ctx) => {
        const reserved = naming.reservedPathProblem(s, "auth");
        if (reserved) ctx.addIssue({ code: "custom", message: reserved });
      })
      .optional()
      .describe("Path of the cluster's kubernetes auth mount. Default: <cluster>-k8s."),
    reviewer: z
      .enum(["serviceaccount", "client-jwt"])
      .default("serviceaccount")
      .describe("Who reviews logins: serviceaccount = the token of ServiceAccount eso-vault-auth in ESO's namespace; client-jwt = each client's own JWT, so every bound ServiceAccount gets system:auth-delegator and there is no reviewer token."),
  })
  .describe("The cluster's kubernetes auth method in Vault.");

const esoSchema = z
  .strictObject({
    namespace: dnsLabel.default("external-secrets").describe("Namespace ESO runs in."),
    serviceAccount: dnsLabel.default("external-secrets").describe("ESO's ServiceAccount: the ClusterSecretStore vault-platform logs in as it."),
    apiVersion: z.enum(["v1", "v1beta1"]).default("v1").describe("API version of the ESO objects: v1 (ESO 0.16 and later) or v1beta1 (older ESO)."),
    refreshInterval: duration.default("1h").describe("refreshInterval of the ExternalSecrets the program writes (tenant canaries, CI robots)."),
    podSelector: labels.default({}).describe("Labels of the ESO pods the egress NetworkPolicy applies to. Default: every pod in ESO's namespace."),
    dns: z
      .strictObject({
        namespace: dnsLabel.default("openshift-dns").describe("Namespace of the cluster DNS."),
        ports: z.array(port).min(1).default([53, 5353]).describe("DNS ports (OpenShift's dns-default listens on 5353)."),
      })
      .default({ namespace: "openshift-dns", ports: [53, 5353] })
      .describe("DNS egress the NetworkPolicy allows."),
    egress: esoEgressSchema.default({ namespaceDefaultDeny: false }),
  })
  .describe("Where the External Secrets Operator runs and how its pods reach Vault.");

const pullSecretsSchema = z
  .strictObject({
    quayPull: z.boolean().default(false).describe("Also fan out quay-pull (the in-cluster Quay) next to app-registry-pull; turning it off takes quay-pull off every tenant's default ServiceAccount."),
    refreshTime: duration.default("1h").describe("refreshTime of every ClusterExternalSecret the stack writes, the pull secrets' and the catalogue entries': how often ESO looks again at which namespaces each selects."),
  })
  .describe("Seed 000's registry pull secrets, app-registry-pull and quay-pull: built-in entries of the secret catalogue, read from <kv>/ocp/<cluster>/registries/<name> (field dockerconfigjson) into every tenant namespace and its default ServiceAccount.");

const ciSchema = z
  .strictObject({
    quayHost: hostPort.default("quay.apps.sub.comptech-lab.com").describe("Registry host of the CI robots' dockerconfigjson."),
    emailDomain: dnsSubdomain.default("comptech-lab.local").describe("Domain of the e-mail address in the CI robots' dockerconfigjson."),
  })
  .describe("The CI push Secrets quay-robot-team-<team> in openshift-pipelines (seed 001).");

export const stackSchema = z
  .strictObject({
    cluster: clusterSchema.optional(),
    vault: vaultSchema,
    foundation: foundationSchema.default({}),
    auth: authSchema.optional(),
    eso: esoSchema.optional(),
    pullSecrets: pullSecretsSchema.optional(),
    ci: ciSchema.optional(),
    secrets: catalogueSchema.optional(),
    tenantsFile: checked(tenantsFileProblem, "a path relative to stacks/ that stays inside it: not absolute, no .. out of it, and no symbolic link out of it")
      .default("tenants.yaml")
      .describe("The tenant catalogue this stack reads."),
    adopt: adoptSchema.optional(),
  })
  .describe(
    "The stack's settings: the keys under platform-secrets: in stacks/Pulumi.<stack>.yaml. Unknown keys are refused, and so is a namespace that looks like a misspelling of platform-secrets: (other namespaces, such as vault: or kubernetes:, belong to their providers). Every problem of the stack file and of the tenant catalogue is reported at once, sorted by file and line, each naming the file, the line and the key, before any resource is registered. auth, eso, pullSecrets, ci and secrets apply to a cluster stack only.",
  );

/** The catalogue is part of the stack's reviewed config: it may not be read from elsewhere on the machine. */
export function tenantsFileProblem(file: string): string | undefined {
  if (file === "") return "is empty";
  if (posix.isAbsolute(file) || win32.isAbsolute(file)) return `must be a path relative to ${STACKS_DIR}/`;
  const normal = posix.normalize(file);
  if (normal === ".." || normal.startsWith("../")) return `leaves ${STACKS_DIR}/: the tenant catalogue must live inside it`;
  if (normal === "." || normal.endsWith("/")) return `must name a file inside ${STACKS_DIR}/`;
  return undefined;
}

type RawStack = z.infer<typeof stackSchema>;
export type AdminGroupSettings = z.infer<typeof adminGroupSchema>;

export interface ClusterConfig {
  name: string;
  apiServer: string;
  kubeContext?: string;
  caCert?: string;
  apiServerCa: ApiServerCa;
  authPath: string;
  reviewer: "serviceaccount" | "client-jwt";
  egressCidrs: string[];
  /** Where this cluster's ESO stores read; writes (PushSecrets) go to vault.address, the primary. */
  readReplica?: string;
  eso: z.infer<typeof esoSchema>;
  pullSecrets: z.infer<typeof pullSecretsSchema>;
  ci: z.infer<typeof ciSchema>;
  /** The secret catalogue: built-in pull secrets, then `platform-secrets:secrets` (model/catalogue.ts). */
  catalogue: CatalogueEntry[];
}

export interface StackConfig {
  vault: Omit<z.infer<typeof vaultSchema>, "egressCidrs" | "readReplica">;
  /** Present when this stack owns the Vault foundation. */
  foundation?: { adminGroups: AdminGroupSettings[] };
  /** Present when this stack reads the foundation from another stack. */
  foundationStack?: string;
  cluster?: ClusterConfig;
  tenantsFile: string;
  /** Objects that already exist and are imported, not created (model/adoption.ts). */
  adopt: AdoptSettings;
}

export interface ConfigSource {
  file: string;
  lineOf?: (path: KeyPath) => number | undefined;
  sourceOf?: (path: KeyPath) => string | undefined;
}

/**
 * Validates the project's config values (keys without the `platform-secrets:` prefix,
 * values already decoded from YAML/JSON) and returns the typed stack config.
 */
export function parseStackConfig(values: Record<string, unknown>, source: ConfigSource): StackConfig {
  const lineOf = source.lineOf && ((path: KeyPath) => source.lineOf!(configPath(path)));
  const sourceOf = source.sourceOf && ((path: KeyPath) => source.sourceOf!(configPath(path)));
  const parsed = stackSchema.safeParse(values, PARSE_PARAMS);
  if (!parsed.success) {
    throw new ConfigError(zodIssues(parsed.error, { file: source.file, displayRoot: prefixRoot, ...(lineOf ? { lineOf } : {}), ...(sourceOf ? { sourceOf } : {}) }));
  }
  const raw = parsed.data;
  const issues: ConfigIssue[] = [];
  const issue = (path: KeyPath, message: string) => {
    const line = lineOf?.(path);
    issues.push({ file: source.file, key: formatKeyPath(prefixRoot(path)), message, ...(line ? { line } : {}) });
  };
  crossCheck(raw, issue);
  const catalogue = raw.cluster ? resolveCatalogue(raw.secrets ?? [], raw.cluster.name, raw.pullSecrets?.quayPull ?? false) : undefined;
  for (const i of catalogue?.issues ?? []) issue(i.path, i.message);
  if (issues.length > 0) throw new ConfigError(issues);
  return toStackConfig(raw, catalogue?.entries ?? []);
}

/** Where a schema path sits in a Pulumi stack file: under `config:`, keys carry the project prefix. */
function configPath(path: KeyPath): KeyPath {
  return ["config", ...prefixRoot(path)];
}

function prefixRoot(path: KeyPath): KeyPath {
  return path.length === 0 ? path : [`${PROJECT}:${String(path[0])}`, ...path.slice(1)];
}

function crossCheck(raw: RawStack, issue: (path: KeyPath, message: string) => void): void {
  if (raw.vault.tokenMaxTtlSeconds < raw.vault.tokenTtlSeconds) {
    issue(["vault", "tokenMaxTtlSeconds"], `(${raw.vault.tokenMaxTtlSeconds}) is below tokenTtlSeconds (${raw.vault.tokenTtlSeconds})`);
  }
  if (raw.foundation.stack !== undefined && raw.foundation.adminGroups !== undefined) {
    issue(["foundation", "adminGroups"], `admin groups belong to the foundation stack ${raw.foundation.stack}; set them there`);
  }
  for (const key of missingGroupIds(raw.adopt ?? adoptSchema.parse({}), (raw.foundation.adminGroups ?? []).map((g) => naming.adminGroup(g.env)))) {
    issue(["adopt", ...key.split(".")], "is required with adopt.all: Vault imports identity groups and aliases by the id it assigned (vault read identity/group/name/<group>)");
  }
  const envs = new Set<string>();
  (raw.foundation.adminGroups ?? []).forEach((g, i) => {
    if (envs.has(g.env)) issue(["foundation", "adminGroups", i, "env"], `"${g.env}" is declared twice; one ${naming.adminGroup(g.env)} group per env`);
    envs.add(g.env);
  });
  if (!raw.cluster) {
    if (raw.foundation.stack !== undefined) issue(["foundation", "stack"], "a stack without `cluster` must own the foundation: it would have nothing to do");
    for (const key of ["auth", "eso", "pullSecrets", "ci", "secrets"] as const) {
      if (raw[key] !== undefined) issue([key], "only applies to a cluster stack; add `cluster` or remove this key");
    }
    for (const key of ["egressCidrs", "readReplica"] as const) {
      if (raw.vault[key] !== undefined) issue(["vault", key], "only applies to a cluster stack; add `cluster` or remove this key");
    }
    return;
  }
  if (!raw.vault.egressCidrs) {
    issue(["vault", "egressCidrs"], `is required for a cluster stack: the ${naming.EGRESS_POLICY} NetworkPolicy needs Vault's address range (seed 000: ESO hangs without it)`);
  }
  for (const p of trustProblems({ ...raw.cluster, reviewer: raw.auth?.reviewer ?? "serviceaccount" })) issue(p.path, p.message);
  // Every namespace a tenant catalogue produces carries the tenant prefix, so the prefix alone
  // tells a tenant namespace, whichever catalogue is read.
  const esoNamespace = raw.eso?.namespace;
  if (esoNamespace?.startsWith(naming.TENANT_NAMESPACE_PREFIX)) {
    issue(["eso", "namespace"], `"${esoNamespace}" is a tenant namespace (the ${naming.TENANT_NAMESPACE_PREFIX} prefix is the tenants'): the token reviewer's ServiceAccount, its token Secret bound to system:auth-delegator, the push store and the egress policy would sit where a tenant can read them; use ESO's own namespace, e.g. external-secrets`);
  }
}

function toStackConfig(raw: RawStack, catalogue: CatalogueEntry[]): StackConfig {
  const { egressCidrs, readReplica, ...vault } = raw.vault;
  const config: StackConfig = { vault, tenantsFile: raw.tenantsFile, adopt: raw.adopt ?? adoptSchema.parse({}) };
  if (raw.foundation.stack !== undefined) config.foundationStack = raw.foundation.stack;
  else config.foundation = { adminGroups: raw.foundation.adminGroups ?? [] };
  if (raw.cluster) {
    const auth = authSchema.parse(raw.auth ?? {});
    config.cluster = {
      ...raw.cluster,
      apiServerCa: apiServerCa({ ...raw.cluster, reviewer: auth.reviewer }),
      authPath: auth.path ?? naming.authPath(raw.cluster.name),
      reviewer: auth.reviewer,
      egressCidrs: egressCidrs ?? [],
      eso: raw.eso ?? esoSchema.parse({}),
      pullSecrets: raw.pullSecrets ?? pullSecretsSchema.parse({}),
      ci: raw.ci ?? ciSchema.parse({}),
      catalogue,
      ...(readReplica ? { readReplica } : {}),
    };
  }
  return config;
}
