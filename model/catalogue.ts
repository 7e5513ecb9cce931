// The secret catalogue (seed 004): platform-owned secrets fanned by ClusterExternalSecrets into
// the tenant namespaces that select them, each in the format its consumer reads. Declared in
// the stack file under `platform-secrets:secrets`; seed 000's pull secrets are two built-in
// entries configured by `platform-secrets:pullSecrets`. Pure: schema, entries, selections and
// the conflicts that must stop a run before anything is registered.
import { z } from "zod";
import type { KeyPath } from "./configError";
import { matches, namespaceLabels, overlap, requirements, selectorProblem, selectsEverything, witness, type LabelSelector, type Requirement } from "./labelSelector";
import * as naming from "./naming";
import { ROTATION_TYPES, rotationInterval, type RotationType } from "./rotation";
import { checked, dnsLabel, duration, hostPort, labelKey, labelValue, labels } from "./schema";
import { DOCKERCONFIGJSON_INPUT, formatInputs, type Format } from "./secretTemplates";

/** Opt-in label of an entry selected by label (seed 004: `secrets/<name>: "true"`). */
export function optInLabel(entry: string): string {
  return `secrets/${entry}`;
}
export const OPT_IN_VALUE = "true";
/** Label Kubernetes sets on every namespace: selecting by name is selecting on it. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** A literal written into a template or a consumer's config: no template syntax, quotes or spaces. */
function literalProblem(s: string): string | undefined {
  if (s.length === 0) return "is empty";
  if (!/^[A-Za-z0-9._~:/@%+#=?&-]+$/.test(s)) return "may contain only URL characters (no spaces, quotes, braces or backslashes): it is written into an ESO template";
  return undefined;
}
const literal = checked(literalProblem, "URL characters only (letters, digits and ._~:/@%+#=?&-): no spaces, quotes, braces or backslashes, since the value is written into an ESO template", "template-safe literal");

/** A KV key under the mount, as ESO's remoteRef takes it; `<cluster>` stands for this stack's cluster. */
const kvKey = z.string().regex(/^[a-z0-9<][a-z0-9_<>-]*(\/[a-z0-9_<>-]+)*$/, {
  message: "must be a KV key like ocp/<cluster>/github/pat (lower-case segments, no leading or trailing '/', no globs)",
});
/** A secret's field in Vault; no dots, which ESO would read as a path into a JSON value. */
const property = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: "must be a Vault field name (letters, digits, '_', '-'; ESO reads a dotted name as a path into JSON)" });
/** A key of the rendered Secret's data, as the API server accepts it. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: "must be a Secret data key (letters, digits, '-', '_', '.')" });

const requirementSchema = z.strictObject({
  key: labelKey.describe("The namespace label the requirement reads."),
  operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]).describe("As in a Kubernetes label selector: NotIn and DoesNotExist also match namespaces without the label."),
  values: z.array(labelValue).optional().describe("Values for In and NotIn."),
});

const selectSchema = z
  .strictObject({
    matchLabels: labels.optional().describe("Namespace labels that must all be present with these values."),
    matchExpressions: z.array(requirementSchema).optional().describe("Set-based requirements, ANDed with matchLabels."),
    namespaces: z
      .array(dnsLabel)
      .min(1, { message: "list at least one namespace" })
      .optional()
      .describe("Namespaces by name, rendered as kubernetes.io/metadata.name In [...]. Checked: each must be a tenant namespace on this cluster; not together with matchLabels or matchExpressions."),
  })
  .describe(
    "Which tenant namespaces receive the Secret. Leave it out: the namespaces that opt in (label secrets/<name>: \"true\", set from the tenants' secrets: lists). Every selection is ANDed with apps.platform/tenant: \"true\", so only tenant namespaces ever receive a distributed secret. Checked: a selector that selects every namespace (empty) or none (excludes the tenant label) is refused, and so is one Kubernetes would reject.",
  );

const formatSchema = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("dockerconfigjson"),
        registry: hostPort.optional().describe("Compose the document for this registry host from the username and password inputs. Without it the Vault field holds the whole document, as seed 000's pull secrets do."),
        email: literal.optional().describe("E-mail written into the composed document."),
      })
      .describe("kubernetes.io/dockerconfigjson; tenants that opt in also get it on their default ServiceAccount's imagePullSecrets."),
    z
      .strictObject({
        type: z.literal("opaque"),
        kargo: z
          .strictObject({
            credType: z.enum(["image", "git", "helm"]).describe("Value of the label kargo.akuity.io/cred-type."),
            repoURL: literal.describe("The repository the credentials are for."),
          })
          .optional()
          .describe("For Kargo: keys repoURL, username, password."),
        argocd: z
          .strictObject({
            secretType: z.enum(["repository", "repo-creds"]).describe("Value of the label argocd.argoproj.io/secret-type."),
            repoType: z.enum(["git", "helm"]).default("git").describe("The key type."),
            url: literal.describe("The repository (or, for repo-creds, the URL prefix) the credentials are for."),
          })
          .optional()
          .describe("For a namespace-scoped Argo CD: keys type, url, username, password."),
      })
      .describe("Opaque: the mapped fields as plain keys, or a Kargo or Argo CD credential (one consumer per Secret). A generated entry is always opaque, with its generator's key."),
    z.strictObject({ type: z.literal("basic-auth") }).describe("kubernetes.io/basic-auth: inputs username and password."),
    z.strictObject({ type: z.literal("tls") }).describe("kubernetes.io/tls: inputs cert and key, and ca (written as ca.crt) when mapped. Not for generated entries: certificates rotate through cert-manager (seed 003)."),
  ])
  .describe("The Secret's format, rendered by a self-contained ESO template. Checked: source.properties may name only the inputs the format reads.");

const passwordSchema = z
  .strictObject({
    length: z.int().min(8).max(128).default(32).describe("Length of the password."),
    digits: z.int().min(0).optional().describe("Number of digits."),
    symbols: z.int().min(0).optional().describe("Number of symbols."),
    symbolCharacters: literal.optional().describe("The symbols to choose from."),
    noUpper: z.boolean().default(false).describe("No upper-case letters."),
    allowRepeat: z.boolean().default(true).describe("Characters may repeat."),
  })
  .describe("Settings of ESO's Password generator. Checked: only with generator Password.");

const generateSchema = z
  .strictObject({
    generator: z.enum(["Password", "UUID"]).describe("ESO generator: Password (key password) or UUID (key uuid)."),
    rotation: z
      .enum(ROTATION_TYPES as [RotationType, ...RotationType[]])
      .describe("Seed 003's secret type. It sets the refresh interval, which for a generator is the rotation: database-password and gitea-token 2160h (90 days), jwt-signing-key 720h (30 days), api-key 0s (generated once; a PushSecret never overwrites Vault)."),
    via: z
      .enum(["externalsecret", "pushsecret"])
      .describe("externalsecret: a ClusterGenerator; each selected namespace gets its own value, which never leaves it. pushsecret: one value generated in ESO's namespace, written to key in Vault on the primary by a PushSecret, then fanned out like any other entry."),
    key: kvKey.optional().describe("KV key the pushed value is written to, under ocp/<cluster>/. Checked: required with via: pushsecret, refused with externalsecret."),
    password: passwordSchema.optional(),
  })
  .describe("Generate the value with ESO instead of reading it (seed 003). Checked: the format must be opaque, and a refreshInterval next to an externalsecret generator is refused.");

const entrySchema = z.strictObject({
  name: dnsLabel.describe("The entry: the ClusterExternalSecret's name, the opt-in label secrets/<name>, and the Secret's name unless secretName is given. Checked: unique, not a built-in name (app-registry-pull, quay-pull)."),
  secretName: dnsLabel
    .optional()
    .describe("The Secret each selected namespace gets. Checked: two entries may share a Secret name only when no namespace can be selected by both, and vault-apps-canary is reserved."),
  secretType: dnsLabel.optional().describe("Value of the Secret's platform-secrets/secret-type label. Default: kargo or argocd for those consumers, the rotation type of a generated entry, else the format."),
  select: selectSchema.optional(),
  source: z
    .strictObject({
      key: kvKey.describe("KV key relative to the mount; <cluster> stands for this stack's cluster, so one entry can be copied across stacks. Checked: under ocp/<cluster>/ of this stack's cluster (the only subtree the platform store reads)."),
      properties: z
        .record(secretKey, property)
        .optional()
        .describe(
          "Maps each input of the format to the Vault field it reads. The inputs are the format's: username and password (dockerconfigjson with a registry, basic-auth, Kargo, Argo CD), dockerconfigjson (dockerconfigjson without a registry), cert, key and ca (tls), or the Secret's own keys (plain opaque, at least one). An input left out reads the Vault field of its own name.",
        ),
    })
    .optional()
    .describe("Read the value from Vault. Checked: exactly one of source and generate."),
  generate: generateSchema.optional(),
  refreshInterval: duration.optional().describe("refreshInterval of the ExternalSecrets the entry fans out. Default: ESO's (1h)."),
  format: formatSchema,
});

export const catalogueSchema = z
  .array(entrySchema)
  .describe(
    "The secret catalogue (seed 004): platform-owned credentials that live once in Vault under <kv>/ocp/<cluster>/ and are fanned by one ClusterExternalSecret per entry, through the ClusterSecretStore vault-platform, into the tenant namespaces that select them, rendered in the format their consumer reads. The platform store's policy grants read on exactly the keys the catalogue reads.",
  );
export type RawEntry = z.infer<typeof entrySchema>;

export type Selection =
  | { kind: "opt-in"; label: string }
  | { kind: "labels"; selector: LabelSelector }
  | { kind: "names"; namespaces: string[] };

export interface PasswordSpec {
  length: number;
  digits?: number;
  symbols?: number;
  symbolCharacters?: string;
  noUpper: boolean;
  allowRepeat: boolean;
}

export type Source =
  | { kind: "vault"; key: string; properties: Record<string, string> }
  | { kind: "generated"; generator: "Password" | "UUID"; rotation: RotationType; via: "externalsecret" }
  | { kind: "generated"; generator: "Password" | "UUID"; rotation: RotationType; via: "pushsecret"; key: string; property: string };

export interface CatalogueEntry {
  name: string;
  /** Seed 000's pull secrets, configured by platform-secrets:pullSecrets rather than declared. */
  builtin?: true;
  /** The Secret each selected namespace gets. */
  secretName: string;
  /** Value of the `secret-type` label on the rendered Secret. */
  secretType: string;
  selection: Selection;
  source: Source;
  format: Format;
  /** The ExternalSecrets' refreshInterval; ESO's default (1h) when absent. */
  refreshInterval?: string;
  password?: PasswordSpec;
}

/** The output key of each generator (ESO's Password writes `password`, UUID `uuid`). */
export const GENERATOR_KEY = { Password: "password", UUID: "uuid" } as const;

/** Names the built-in pull secrets take; a catalogue entry may not reuse them. */
const BUILTIN_NAMES: readonly string[] = naming.PULL_SECRETS;

/** Seed 000's pull secrets as catalogue entries: every tenant namespace, the dockerconfigjson kept whole in Vault. */
export function builtinEntries(cluster: string, quayPull: boolean): CatalogueEntry[] {
  return naming.PULL_SECRETS.filter((name) => name !== "quay-pull" || quayPull).map((name) => ({
    name,
    builtin: true,
    secretName: name,
    secretType: "dockerconfigjson",
    selection: { kind: "opt-in", label: naming.TENANT_LABEL },
    source: { kind: "vault", key: naming.registryKey(cluster, name), properties: { [DOCKERCONFIGJSON_INPUT]: naming.PULL_SECRET_PROPERTY } },
    format: { type: "dockerconfigjson" },
  }));
}

/** The one selector a ClusterExternalSecret of `entry` carries: always ANDed with the tenant label. */
export function entrySelector(selection: Selection): LabelSelector {
  const tenant = { [naming.TENANT_LABEL]: naming.TENANT_LABEL_VALUE };
  switch (selection.kind) {
    case "opt-in":
      return { matchLabels: { ...tenant, [selection.label]: OPT_IN_VALUE } };
    case "labels":
      return { matchLabels: { ...tenant, ...selection.selector.matchLabels }, ...(selection.selector.matchExpressions?.length ? { matchExpressions: [...selection.selector.matchExpressions] } : {}) };
    case "names":
      return { matchLabels: tenant, matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: [...selection.namespaces] }] };
  }
}

/** Whether `entry` is delivered to a namespace with this name and these labels. */
export function selectsNamespace(entry: CatalogueEntry, namespace: string, nsLabels: Readonly<Record<string, string>>): boolean {
  return matches(entrySelector(entry.selection), namespaceLabels(namespace, nsLabels));
}

export interface CatalogueIssue {
  path: KeyPath;
  message: string;
}

/** The stack's whole catalogue (built-in pull secrets first, then its entries), and what only shows across fields or entries. */
export function resolveCatalogue(raw: readonly RawEntry[], cluster: string, quayPull: boolean): { entries: CatalogueEntry[]; issues: CatalogueIssue[] } {
  const issues: CatalogueIssue[] = [];
  const entries: CatalogueEntry[] = [];
  raw.forEach((r, i) => {
    const at = (...path: KeyPath) => ["secrets", i, ...path];
    const issue = (path: KeyPath, message: string) => issues.push({ path, message });
    const entry = resolveEntry(r, cluster, (path, message) => issue(at(...path), message));
    if (entry) entries.push(entry);
  });
  issues.push(...catalogueConflicts(raw, entries, builtinEntries(cluster, quayPull)));
  return { entries: [...builtinEntries(cluster, quayPull), ...entries], issues };
}

type Issue = (path: KeyPath, message: string) => void;

function resolveEntry(r: RawEntry, cluster: string, issue: Issue): CatalogueEntry | undefined {
  let problems = 0;
  const report: Issue = (p, m) => {
    problems++;
    issue(p, m);
  };
  if (BUILTIN_NAMES.includes(r.name)) report(["name"], `"${r.name}" is a built-in pull secret (seed 000); configure it with platform-secrets:pullSecrets`);
  const selection = resolveSelection(r, report);
  const source = resolveSource(r, cluster, report);
  const format = source ? resolveFormat(r, source, report) : undefined;
  if (problems > 0 || !selection || !source || !format) return undefined;
  const defaultType = r.format.type === "opaque" && r.format.kargo ? "kargo" : r.format.type === "opaque" && r.format.argocd ? "argocd" : source.kind === "generated" ? source.rotation : r.format.type;
  return {
    name: r.name,
    secretName: r.secretName ?? r.name,
    secretType: r.secretType ?? defaultType,
    selection,
    source,
    format,
    ...(source.kind === "generated" && source.via === "externalsecret" ? { refreshInterval: rotationInterval(source.rotation) } : r.refreshInterval ? { refreshInterval: r.refreshInterval } : {}),
    ...(r.generate?.generator === "Password" ? { password: passwordSchema.parse(r.generate.password ?? {}) } : {}),
  };
}

function resolveSelection(r: RawEntry, issue: Issue): Selection | undefined {
  const s = r.select;
  if (!s) return { kind: "opt-in", label: optInLabel(r.name) };
  if (s.namespaces && (s.matchLabels || s.matchExpressions)) {
    issue(["select"], "choose one kind of selection: namespaces (by name), or matchLabels/matchExpressions");
    return undefined;
  }
  if (s.namespaces) return { kind: "names", namespaces: s.namespaces };
  const selector: LabelSelector = { ...(s.matchLabels ? { matchLabels: s.matchLabels } : {}), ...(s.matchExpressions ? { matchExpressions: s.matchExpressions as Requirement[] } : {}) };
  const problem = selectorProblem(selector);
  if (problem) {
    issue(["select"], `${problem} (Kubernetes rejects such a selector)`);
    return undefined;
  }
  if (selectsEverything(selector)) {
    issue(["select"], "selects every namespace (an empty selector); leave `select` out to distribute by the opt-in label secrets/<name>, or name what to select");
    return undefined;
  }
  if (!witness(requirements(entrySelector({ kind: "labels", selector })))) {
    issue(["select"], `selects no namespace: every distributed secret also requires ${naming.TENANT_LABEL}: "${naming.TENANT_LABEL_VALUE}", which these requirements exclude`);
    return undefined;
  }
  return { kind: "labels", selector };
}

function clusterKey(key: string, cluster: string, path: KeyPath, issue: Issue): string | undefined {
  const resolved = key.replaceAll("<cluster>", cluster);
  if (/[<>]/.test(resolved)) {
    issue(path, `"${key}": the only placeholder is <cluster>`);
    return undefined;
  }
  if (!resolved.startsWith(naming.platformKeyPrefix(cluster)) || resolved.length === naming.platformKeyPrefix(cluster).length) {
    issue(path, `"${resolved}" is outside ${naming.platformKeyPrefix(cluster)}: the platform store of cluster ${cluster} reads only its own subtree (seed 000's ocp/<cluster>/)`);
    return undefined;
  }
  return resolved;
}

function resolveSource(r: RawEntry, cluster: string, issue: Issue): Source | undefined {
  if ((r.source === undefined) === (r.generate === undefined)) {
    issue([], "give exactly one of `source` (read from Vault) or `generate` (an ESO generator)");
    return undefined;
  }
  if (r.source) {
    const key = clusterKey(r.source.key, cluster, ["source", "key"], issue);
    return key === undefined ? undefined : { kind: "vault", key, properties: { ...r.source.properties } };
  }
  const g = r.generate!;
  if (g.password && g.generator !== "Password") issue(["generate", "password"], `only applies to the Password generator, not ${g.generator}`);
  if (r.refreshInterval && g.via === "externalsecret") {
    issue(["refreshInterval"], `a generator makes a new value on every refresh: the rotation type (${g.rotation}) sets it to ${rotationInterval(g.rotation)}`);
  }
  if (g.via === "externalsecret") {
    if (g.key !== undefined) issue(["generate", "key"], "only a pushsecret entry writes to Vault; an externalsecret entry's values never leave the namespace");
    return { kind: "generated", generator: g.generator, rotation: g.rotation, via: "externalsecret" };
  }
  if (g.key === undefined) {
    issue(["generate", "key"], "is required with via: pushsecret: the Vault key the generated value is written to (under ocp/<cluster>/)");
    return undefined;
  }
  const key = clusterKey(g.key, cluster, ["generate", "key"], issue);
  return key === undefined ? undefined : { kind: "generated", generator: g.generator, rotation: g.rotation, via: "pushsecret", key, property: GENERATOR_KEY[g.generator] };
}

function resolveFormat(r: RawEntry, source: Source, issue: Issue): Format | undefined {
  const f = r.format;
  let format: Format;
  if (f.type === "dockerconfigjson") format = f.registry ? { type: f.type, registry: f.registry, ...(f.email ? { email: f.email } : {}) } : { type: f.type };
  else if (f.type === "opaque" && f.kargo && f.argocd) {
    issue(["format"], "one consumer per Secret: kargo or argocd (add a second entry with the same source for the other)");
    return undefined;
  } else if (f.type === "opaque" && f.kargo) format = { type: "opaque", consumer: "kargo", credType: f.kargo.credType, repoURL: f.kargo.repoURL };
  else if (f.type === "opaque" && f.argocd) format = { type: "opaque", consumer: "argocd", secretType: f.argocd.secretType, repoType: f.argocd.repoType, url: f.argocd.url };
  else if (f.type === "opaque") format = { type: "opaque", keys: source.kind === "generated" ? [GENERATOR_KEY[source.generator]] : Object.keys(source.kind === "vault" ? source.properties : {}) };
  else if (f.type === "tls") format = { type: "tls", withCa: source.kind === "vault" && "ca" in source.properties };
  else format = { type: f.type };

  if (source.kind === "generated") {
    if (!(format.type === "opaque" && "keys" in format)) {
      issue(["format"], `a generated secret is an Opaque Secret with its generator's key (${GENERATOR_KEY[source.generator]}); ${format.type === "tls" ? "TLS certificates rotate through cert-manager (seed 003), not ESO" : "credentials for a consumer are issued elsewhere and read from Vault"}`);
      return undefined;
    }
    return format;
  }
  const inputs = formatInputs(format);
  if (format.type === "opaque" && "keys" in format && inputs.length === 0) {
    issue(["source", "properties"], "an opaque Secret needs at least one entry <Secret key>: <Vault field>");
    return undefined;
  }
  const given = Object.keys(source.properties);
  const allowed = format.type === "tls" ? ["cert", "key", "ca"] : inputs;
  const extra = given.filter((k) => !allowed.includes(k));
  if (extra.length) issue(["source", "properties"], `${extra.join(", ")}: the ${describeFormat(format)} format reads only ${allowed.join(", ")}`);
  // A format's inputs default to Vault fields of the same name.
  for (const input of inputs) source.properties[input] ??= input === DOCKERCONFIGJSON_INPUT ? naming.PULL_SECRET_PROPERTY : input;
  return extra.length ? undefined : format;
}

function describeFormat(f: Format): string {
  if (f.type === "opaque" && "consumer" in f) return `opaque (${f.consumer})`;
  if (f.type === "dockerconfigjson") return "registry" in f ? `dockerconfigjson for ${f.registry}` : "dockerconfigjson (whole document in Vault)";
  return f.type;
}

/** Secret names the platform already writes into every tenant namespace. */
const RESERVED_SECRETS = [naming.TENANT_CANARY];

/** Two entries producing one Secret in one namespace, and names the platform already uses there. */
function catalogueConflicts(raw: readonly RawEntry[], entries: readonly CatalogueEntry[], builtins: readonly CatalogueEntry[]): CatalogueIssue[] {
  const found: CatalogueIssue[] = [];
  const index = new Map(raw.map((r, i) => [r.name, i]));
  const seen = new Map<string, number>();
  raw.forEach((r, i) => {
    const first = seen.get(r.name);
    if (first !== undefined) found.push({ path: ["secrets", i, "name"], message: `"${r.name}" is already declared at secrets[${first}]` });
    else seen.set(r.name, i);
  });
  const all = [...builtins, ...entries];
  for (const [k, e] of entries.entries()) {
    const i = index.get(e.name)!;
    if (RESERVED_SECRETS.includes(e.secretName)) {
      found.push({ path: ["secrets", i, e.secretName === e.name ? "name" : "secretName"], message: `Secret "${e.secretName}" is the canary the platform writes into every tenant namespace; choose another name` });
    }
    for (const other of all.slice(0, builtins.length + k)) {
      // A repeated name is reported once, above.
      if (other.secretName !== e.secretName || other.name === e.name) continue;
      const both = overlap(entrySelector(e.selection), entrySelector(other.selection));
      if (!both) continue;
      const otherAt = index.has(other.name) ? `secrets[${index.get(other.name)}] (${other.name})` : `the built-in ${other.name}`;
      found.push({
        path: ["secrets", i, e.secretName === e.name ? "name" : "secretName"],
        message: `entry ${e.name} and ${otherAt} both produce Secret "${e.secretName}" in a namespace labelled ${JSON.stringify(both)}: give one a different secretName, or selections that cannot meet`,
      });
    }
  }
  return found;
}

/** Entries a tenant may opt into by name (selected by their opt-in label). */
export function optInEntries(entries: readonly CatalogueEntry[]): Map<string, CatalogueEntry> {
  return new Map(entries.filter((e) => e.selection.kind === "opt-in" && e.selection.label === optInLabel(e.name)).map((e) => [e.name, e]));
}
