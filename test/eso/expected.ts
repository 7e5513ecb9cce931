// What the controller must produce, computed here from the KV values, the stack's declarations
// (tenants, catalogue entries, CI robots) and the live namespaces' labels: never from the
// program's own templates or selectors. Each format's bytes are written out from the seeds and
// the consumers' documented shapes, so a change in a template shows up as a difference here.
import type { CatalogueEntry } from "../../model/catalogue";
import type { ClusterPlan } from "../../model/plan";
import * as naming from "../../model/naming";

/** The Secret's value is only known to the generator: its shape is what can be checked. */
export interface Generated {
  pattern: RegExp;
}

export interface ExpectedSecret {
  namespace: string;
  name: string;
  /** What it stands for, in messages: `catalogue gh-docker-registry`, `canary`, `CI robot payments`. */
  what: string;
  type: string;
  /** Every label but ESO's own `*.external-secrets.io/*` bookkeeping, exactly. */
  labels: Record<string, string>;
  data: Record<string, string | Generated>;
}

/** Fields of a KV secret as Vault holds them now (the suite reads them back, it does not remember them). */
export type KvLookup = (key: string) => Record<string, string>;

export interface LiveNamespace {
  name: string;
  labels: Record<string, string>;
}

const DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const q = (s: string) => JSON.stringify(s);

/** Seed 004's standard labels on every distributed Secret, under the program's keys. */
function standardLabels(source: "vault" | "generator", secretType: string): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "external-secrets", "platform-secrets/source": source, "platform-secrets/secret-type": secretType };
}

/** Kubernetes label selector semantics, for one requirement. */
function holds(r: { key: string; operator: string; values?: readonly string[] }, labels: Record<string, string>): boolean {
  const v = labels[r.key];
  switch (r.operator) {
    case "In":
      return v !== undefined && (r.values ?? []).includes(v);
    case "NotIn":
      return v === undefined || !(r.values ?? []).includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    default:
      throw new Error(`unknown operator ${r.operator}`);
  }
}

/**
 * Whether a namespace should receive an entry: it must be a tenant (seed 000's label), and then
 * opted in by label (seed 004: `secrets/<name>: "true"`), named, or matched by the entry's selector.
 */
export function selected(entry: CatalogueEntry, ns: LiveNamespace): boolean {
  if (ns.labels[naming.TENANT_LABEL] !== "true") return false;
  const s = entry.selection;
  switch (s.kind) {
    case "opt-in":
      return ns.labels[s.label] === "true";
    case "names":
      return s.namespaces.includes(ns.name);
    case "labels":
      return Object.entries(s.selector.matchLabels ?? {}).every(([k, v]) => ns.labels[k] === v) && (s.selector.matchExpressions ?? []).every((r) => holds(r, ns.labels));
  }
}

/** A Password generator's output: its length, letters and digits, symbols only when it may use them. */
function passwordShape(entry: CatalogueEntry): Generated {
  const p = entry.password!;
  const chars = p.symbols === 0 ? (p.noUpper ? "a-z0-9" : "A-Za-z0-9") : "\\x21-\\x7e";
  return { pattern: new RegExp(`^[${chars}]{${p.length}}$`) };
}

const UUID_V4: Generated = { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/ };

/** An entry's Secret: type, consumer labels and bytes, from the values its source holds. */
function catalogueSecret(entry: CatalogueEntry, kv: KvLookup): Pick<ExpectedSecret, "type" | "labels" | "data"> {
  const src = entry.source;
  if (src.kind === "generated") {
    if (src.via === "externalsecret") {
      const data = { [src.generator === "Password" ? "password" : "uuid"]: src.generator === "Password" ? passwordShape(entry) : UUID_V4 };
      return { type: "Opaque", labels: standardLabels("generator", entry.secretType), data };
    }
    // Written to the primary by the PushSecret, read back like any other key.
    return { type: "Opaque", labels: standardLabels("vault", entry.secretType), data: { [src.property]: kv(src.key)[src.property]! } };
  }
  const fields = kv(src.key);
  const input = (name: string) => {
    const value = fields[src.properties[name]!];
    if (value === undefined) throw new Error(`${entry.name}: ${src.key} has no field ${src.properties[name]}`);
    return value;
  };
  const labels = standardLabels("vault", entry.secretType);
  const f = entry.format;
  switch (f.type) {
    case "dockerconfigjson": {
      // Seed 000: the document kept whole in Vault, byte for byte.
      if (!("registry" in f)) return { type: DOCKERCONFIGJSON, labels, data: { ".dockerconfigjson": input("dockerconfigjson") } };
      // Seed 004's registry entry (username, password, auth = base64(user:password)), on one line.
      const [u, p] = [input("username"), input("password")];
      const email = f.email !== undefined ? `, "email": ${q(f.email)}` : "";
      return { type: DOCKERCONFIGJSON, labels, data: { ".dockerconfigjson": `{"auths": {${q(f.registry)}: {"username": ${q(u)}, "password": ${q(p)}, "auth": ${q(b64(`${u}:${p}`))}${email}}}}` } };
    }
    case "opaque":
      if (!("consumer" in f)) return { type: "Opaque", labels, data: Object.fromEntries(f.keys.map((k) => [k, input(k)])) };
      // Kargo reads repoURL, username, password from a Secret labelled with its credential type.
      if (f.consumer === "kargo") return { type: "Opaque", labels: { ...labels, "kargo.akuity.io/cred-type": f.credType }, data: { repoURL: f.repoURL, username: input("username"), password: input("password") } };
      // Argo CD's repository / credential template Secret: type, url, username, password.
      return { type: "Opaque", labels: { ...labels, "argocd.argoproj.io/secret-type": f.secretType }, data: { type: f.repoType, url: f.url, username: input("username"), password: input("password") } };
    case "basic-auth":
      return { type: "kubernetes.io/basic-auth", labels, data: { username: input("username"), password: input("password") } };
    case "tls":
      return { type: "kubernetes.io/tls", labels, data: { "tls.crt": input("cert"), "tls.key": input("key"), ...(f.withCa ? { "ca.crt": input("ca") } : {}) } };
  }
}

/** Seed 001's push credential for the shared Tekton task, exactly as the seed lays it out. */
export function ciDockerConfig(quayHost: string, team: string, emailDomain: string, username: string, token: string): string {
  return `{\n  "auths": {\n    "${quayHost}": {\n      "auth": "${b64(`${username}:${token}`)}",\n      "email": "${team}+ci@${emailDomain}"\n    }\n  }\n}\n`;
}

/** Every Secret a catalogue entry must produce, given the namespaces as they are now. */
export function entrySecrets(entry: CatalogueEntry, namespaces: readonly LiveNamespace[], kv: KvLookup): ExpectedSecret[] {
  return namespaces.filter((ns) => selected(entry, ns)).map((ns) => ({ namespace: ns.name, name: entry.secretName, what: `catalogue ${entry.name}`, ...catalogueSecret(entry, kv) }));
}

/**
 * Every Secret the stack's ExternalSecrets must produce: each tenant namespace's canary, each CI
 * robot in openshift-pipelines, and each catalogue entry in every namespace that selects it.
 */
export function expectedSecrets(plan: ClusterPlan, namespaces: readonly LiveNamespace[], kv: KvLookup): ExpectedSecret[] {
  const canaries = plan.tenants.map((t): ExpectedSecret => ({
    namespace: t.namespace,
    name: naming.TENANT_CANARY,
    what: `canary of ${t.division}`,
    type: "Opaque",
    labels: standardLabels("vault", "canary"),
    data: { [naming.CANARY_PROPERTY]: kv(naming.canaryKey(t.division))[naming.CANARY_PROPERTY]! },
  }));
  const ci = (plan.pipelines?.ciSecrets ?? []).map((r): ExpectedSecret => {
    const robot = kv(r.vaultKey);
    return {
      namespace: naming.PIPELINES_NAMESPACE,
      name: naming.ciSecret(r.team),
      what: `CI robot of team ${r.team}`,
      type: DOCKERCONFIGJSON,
      labels: standardLabels("vault", "dockerconfigjson"),
      data: { ".dockerconfigjson": ciDockerConfig(plan.config.ci.quayHost, r.team, plan.config.ci.emailDomain, robot.username!, robot.token!) },
    };
  });
  return [...canaries, ...ci, ...plan.catalogue.flatMap(({ entry }) => entrySecrets(entry, namespaces, kv))];
}

/** Where a Secret differs from what was expected, one line per difference (empty: identical). */
export function differences(e: ExpectedSecret, actual: { type?: string; labels: Record<string, string>; data: Record<string, Buffer> }): string[] {
  const out: string[] = [];
  const at = `${e.namespace}/${e.name} (${e.what})`;
  if (actual.type !== e.type) out.push(`${at}: type ${actual.type}, expected ${e.type}`);
  const labels = Object.fromEntries(Object.entries(actual.labels).filter(([k]) => !k.includes("external-secrets.io/")));
  if (JSON.stringify(Object.entries(labels).sort()) !== JSON.stringify(Object.entries(e.labels).sort())) out.push(`${at}: labels ${JSON.stringify(labels)}, expected ${JSON.stringify(e.labels)}`);
  const keys = Object.keys(actual.data).sort();
  if (JSON.stringify(keys) !== JSON.stringify(Object.keys(e.data).sort())) out.push(`${at}: keys ${keys.join(", ")}, expected ${Object.keys(e.data).sort().join(", ")}`);
  for (const [k, want] of Object.entries(e.data)) {
    const got = actual.data[k];
    if (got === undefined) continue;
    if (typeof want === "string") {
      if (!got.equals(Buffer.from(want, "utf8"))) out.push(`${at}: ${k} differs: ${JSON.stringify(got.toString("utf8"))} != expected ${JSON.stringify(want)}`);
    } else if (!want.pattern.test(got.toString("utf8"))) out.push(`${at}: ${k} ${JSON.stringify(got.toString("utf8"))} does not match ${want.pattern}`);
  }
  return out;
}

/** A Go duration as ESO and the stack files write it (`720h0m0s`, `30m`, `0s`), in milliseconds. */
export function goDuration(s: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!m || s === "") throw new Error(`not a duration: ${s}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

const DAY = 86_400_000;
/** Seed 003's "Secret Types" table, in days; 0: rotated on compromise only, never on a schedule. */
const SEED_003_ROTATION: Record<string, number> = { "database-password": 90, "jwt-signing-key": 30, "gitea-token": 90, "api-key": 0 };
/** ESO's default refreshInterval (DOMAIN-NOTES: ExternalSecret `refreshInterval` default 1h). */
const ESO_DEFAULT_REFRESH = "1h";

export interface DeclaredRefresh {
  resource: "externalsecret" | "pushsecret";
  namespace: string;
  name: string;
  /** How often the stack's declarations say it must refresh; 0 for never (on compromise). */
  intervalMs: number;
}

/**
 * The cadence each ExternalSecret and PushSecret must refresh at, from the declarations: a
 * generated value at its rotation's cadence (seed 003), a catalogue entry at the refreshInterval
 * its stack file gives or ESO's default, canaries and CI robots at the stack's eso.refreshInterval.
 */
export function declaredRefreshes(plan: ClusterPlan, namespaces: readonly LiveNamespace[]): DeclaredRefresh[] {
  const eso = goDuration(plan.config.eso.refreshInterval);
  const rotation = (r: string) => {
    const days = SEED_003_ROTATION[r];
    if (days === undefined) throw new Error(`seed 003 has no cadence for ${r}`);
    return days * DAY;
  };
  const es = (namespace: string, name: string, intervalMs: number): DeclaredRefresh => ({ resource: "externalsecret", namespace, name, intervalMs });
  return [
    ...plan.tenants.map((t) => es(t.namespace, naming.TENANT_CANARY, eso)),
    ...(plan.pipelines?.ciSecrets ?? []).map((c) => es(naming.PIPELINES_NAMESPACE, naming.ciSecret(c.team), eso)),
    ...plan.catalogue.flatMap(({ entry }) => {
      const src = entry.source;
      const interval = src.kind === "generated" && src.via === "externalsecret" ? rotation(src.rotation) : goDuration(entry.refreshInterval ?? ESO_DEFAULT_REFRESH);
      return namespaces.filter((ns) => selected(entry, ns)).map((ns) => es(ns.name, entry.secretName, interval));
    }),
    ...(plan.push?.secrets ?? []).map((p) => {
      const src = plan.catalogue.find((c) => c.entry.name === p.entry)!.entry.source as { rotation: string };
      return { resource: "pushsecret" as const, namespace: plan.push!.namespace, name: p.entry, intervalMs: rotation(src.rotation) };
    }),
  ];
}
