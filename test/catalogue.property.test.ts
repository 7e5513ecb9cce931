// Seed 004's correctness properties for the secret catalogue, on generated namespaces, labels and
// catalogues. Which namespaces a ClusterExternalSecret selects is evaluated on the rendered
// manifest with model/labelSelector.ts (apimachinery's semantics, checked against the documented
// cases in acl.test.ts and against brute force below); the expected sets come from an oracle
// written here independently of the program.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { optInLabel } from "../model/catalogue";
import { parseStackConfig } from "../model/config";
import { matches, namespaceLabels, overlap, selects, selectsEverything, type LabelSelector, type Requirement } from "../model/labelSelector";
import { planStack, type ClusterPlan } from "../model/plan";
import { namespacesOn, type Tenant } from "../model/tenants";
import { catalogue, soloStackValues } from "./arbitraries";

const RUNS = { numRuns: 150 };
const CLUSTER = "spoke-dc-v6";
const TENANT = "apps.platform/tenant";
const ENVS = ["dev", "stg", "prd", "qa"];
const DIVISIONS = ["platform", "payments", "retail", "data-eng"];

type RawSelect = { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] } | { namespaces: string[] } | undefined;
interface RawEntry {
  name: string;
  select?: RawSelect;
  source: { key: string; properties?: Record<string, string> };
  format: Record<string, unknown>;
}

const ENTRY_NAMES = ["gh-registry", "gh-kargo", "gh-argocd", "nexus-auth", "wildcard-tls", "db-creds"];

/** Requirements on the tenant coordinates every namespace carries, never on the tenant label itself. */
const requirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: fc.constant("apps.platform/env"), operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(fc.constantFrom(...ENVS), { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: fc.constant("apps.platform/division"), operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(fc.constantFrom(...DIVISIONS), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom("apps.platform/team", "apps.platform/app"), operator: fc.constantFrom("Exists", "DoesNotExist") }),
);

const FORMATS: Array<Record<string, unknown>> = [
  { type: "dockerconfigjson", registry: "ghcr.io" },
  { type: "opaque", kargo: { credType: "image", repoURL: "ghcr.io/comptech-lab" } },
  { type: "opaque", argocd: { secretType: "repository", url: "https://github.com/comptech-lab/app" } },
  { type: "basic-auth" },
];

/** Tenants, then entries whose name-selections pick among the tenants' namespaces, then opt-ins. */
const scenario = catalogue.chain((tenants) => {
  const names = namespacesOn(tenants, CLUSTER).map((n) => n.namespace);
  const select: fc.Arbitrary<RawSelect> = fc.oneof(
    fc.constant(undefined),
    fc.record({ matchLabels: fc.constantFrom<Record<string, string>>({ "apps.platform/env": "dev" }, { "apps.platform/division": "payments" }) }),
    fc.record({ matchExpressions: fc.array(requirement, { minLength: 1, maxLength: 3 }) }),
    ...(names.length ? [fc.record({ namespaces: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }) })] : []),
  );
  const entries = fc.uniqueArray(fc.record({ name: fc.constantFrom(...ENTRY_NAMES), select, format: fc.constantFrom(...FORMATS) }), { minLength: 1, maxLength: 5, selector: (e) => e.name });
  return entries.chain((es) => {
    const optIn = es.filter((e) => e.select === undefined).map((e) => e.name);
    const withSecrets = fc.tuple(...tenants.map(() => (optIn.length ? fc.subarray(optIn) : fc.constant([] as string[]))));
    return withSecrets.map((chosen) => ({
      tenants: tenants.map((t, i): Tenant => ({ ...t, ...(chosen[i]!.length ? { secrets: chosen[i]! } : {}) })),
      entries: es.map((e): RawEntry => ({
        name: e.name,
        ...(e.select ? { select: e.select } : {}),
        // One source for every entry (seed 004's GitHub PAT), so formats must not mix it up.
        source: { key: "ocp/<cluster>/github/pat", properties: { username: "username", password: "token" } },
        format: e.format,
      })),
    }));
  });
});

/** Drops entries the program refuses (e.g. expressions that exclude every tenant namespace), so the property runs on valid catalogues. */
function plan(tenants: Tenant[], entries: RawEntry[]): { cluster: ClusterPlan; entries: RawEntry[] } | undefined {
  const values = soloStackValues(CLUSTER, { secrets: entries });
  try {
    return { cluster: planStack("x", parseStackConfig(values, { file: "x" }), tenants).cluster!, entries };
  } catch {
    return undefined;
  }
}

/** The namespaces (name, labels as the program sets them) on the cluster. */
function namespaces(c: ClusterPlan) {
  return c.tenants.map((t) => ({ name: t.namespace, labels: namespaceLabels(t.namespace, t.labels) }));
}

/** The namespaces the rendered ClusterExternalSecret of `entry` selects. */
function selectedBy(c: ClusterPlan, entry: string, nss = namespaces(c)): string[] {
  const ces = c.catalogue.find((d) => d.entry.name === entry)!.fanout;
  const selectors = (ces.spec as { namespaceSelectors: LabelSelector[] }).namespaceSelectors;
  return nss.filter((ns) => selects({ selectors, names: [], regexes: [] }, ns)).map((ns) => ns.name);
}

/** Oracle: requirement semantics written out from the Kubernetes documentation, not the program's module. */
function holds(r: Requirement, labels: Record<string, string>): boolean {
  const v = labels[r.key];
  if (r.operator === "Exists") return v !== undefined;
  if (r.operator === "DoesNotExist") return v === undefined;
  if (r.operator === "In") return v !== undefined && r.values!.includes(v);
  return v === undefined || !r.values!.includes(v);
}

function expected(e: RawEntry, t: Tenant, ns: { name: string; labels: Record<string, string> }): boolean {
  if (!e.select) return (t.secrets ?? []).includes(e.name);
  if ("namespaces" in e.select) return e.select.namespaces.includes(ns.name);
  const labelsOk = Object.entries(e.select.matchLabels ?? {}).every(([k, v]) => ns.labels[k] === v);
  return labelsOk && (e.select.matchExpressions ?? []).every((r) => holds(r, ns.labels));
}

const tenantOf = (tenants: Tenant[], c: ClusterPlan, ns: string) => {
  const n = c.tenants.find((x) => x.namespace === ns)!;
  return tenants.find((t) => t.division === n.division && t.app === n.app)!;
};

describe("secret catalogue properties (seed 004)", () => {
  it("Feature: platform-secrets, Property 2: Namespace-Based Secret Provisioning: each opt-in ClusterExternalSecret selects exactly the namespaces whose tenant opted in", () => {
    fc.assert(
      fc.property(scenario, ({ tenants, entries }) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined);
        for (const e of p!.entries.filter((x) => !x.select)) {
          const want = p!.cluster.tenants.filter((n) => (tenantOf(tenants, p!.cluster, n.namespace).secrets ?? []).includes(e.name)).map((n) => n.namespace);
          expect(selectedBy(p!.cluster, e.name)).toEqual(want);
        }
        // The built-in pull secret reaches every tenant namespace (seed 000).
        expect(selectedBy(p!.cluster, "app-registry-pull")).toEqual(p!.cluster.tenants.map((n) => n.namespace));
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 3: Dynamic Label-Based Distribution: adding or removing one opt-in label adds or removes exactly that secret", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.nat(), ({ tenants, entries }, pickNs, pickEntry) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined && p.cluster.tenants.length > 0);
        const nss = namespaces(p!.cluster);
        const target = nss[pickNs % nss.length]!;
        const entry = p!.entries[pickEntry % p!.entries.length]!;
        const label = optInLabel(entry.name);
        const flipped = { ...target, labels: { ...target.labels } };
        if (flipped.labels[label] === "true") delete flipped.labels[label];
        else flipped.labels[label] = "true";
        const changed = nss.map((ns) => (ns === target ? flipped : ns));
        for (const e of p!.cluster.catalogue) {
          const before = selectedBy(p!.cluster, e.entry.name, nss).includes(target.name);
          const after = selectedBy(p!.cluster, e.entry.name, changed).includes(target.name);
          // Only the flipped entry may change, and it changes exactly when it selects by that label.
          expect(after !== before).toBe(e.entry.name === entry.name && !entry.select);
        }
        // Dropping the tenant label removes every distributed secret.
        const untenanted = nss.map((ns) => (ns === target ? { ...ns, labels: { ...ns.labels, [TENANT]: "false" } } : ns));
        for (const e of p!.cluster.catalogue) expect(selectedBy(p!.cluster, e.entry.name, untenanted)).not.toContain(target.name);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 4: Multi-Pattern Selector Support: label, name and expression selections target exactly the matching namespaces", () => {
    fc.assert(
      fc.property(scenario, ({ tenants, entries }) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined);
        for (const e of p!.entries) {
          const want = namespaces(p!.cluster)
            .filter((ns) => expected(e, tenantOf(tenants, p!.cluster, ns.name), ns))
            .map((ns) => ns.name);
          expect(selectedBy(p!.cluster, e.name)).toEqual(want);
        }
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 5: Secret Format and Template Correctness: each Secret has its format's type and fields, the standard labels, and a template reading only inputs its ExternalSecret provides", () => {
    const TYPES: Record<string, [string, string[]]> = {
      dockerconfigjson: ["kubernetes.io/dockerconfigjson", [".dockerconfigjson"]],
      kargo: ["Opaque", ["repoURL", "username", "password"]],
      argocd: ["Opaque", ["type", "url", "username", "password"]],
      "basic-auth": ["kubernetes.io/basic-auth", ["username", "password"]],
    };
    fc.assert(
      fc.property(scenario, ({ tenants, entries }) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined);
        for (const e of p!.entries) {
          const kind = e.format.type === "opaque" ? (e.format.kargo ? "kargo" : "argocd") : String(e.format.type);
          const es = (p!.cluster.catalogue.find((d) => d.entry.name === e.name)!.fanout.spec as { externalSecretSpec: EsSpec }).externalSecretSpec;
          const [type, keys] = TYPES[kind]!;
          expect(es.target.template.type).toBe(type);
          expect(Object.keys(es.target.template.data).sort()).toEqual([...keys].sort());
          expect(es.target.template.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "external-secrets", "platform-secrets/source": "vault", "platform-secrets/secret-type": kind });
          if (kind === "kargo") expect(es.target.template.metadata.labels["kargo.akuity.io/cred-type"]).toBe("image");
          if (kind === "argocd") expect(es.target.template.metadata.labels["argocd.argoproj.io/secret-type"]).toBe("repository");
          const provided = new Set(es.data.map((d) => d.secretKey));
          for (const t of Object.values(es.target.template.data)) for (const input of templateInputs(t)) expect(provided.has(input), `${e.name} reads .${input}`).toBe(true);
          if (kind === "dockerconfigjson") expect(es.target.template.data[".dockerconfigjson"]).toContain('{"auths": {"ghcr.io": ');
        }
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 6: Multi-Format Generation from Single Source: one Vault source renders to every format at once, each reading the same fields into its own Secret", () => {
    fc.assert(
      fc.property(scenario, ({ tenants, entries }) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined);
        const specs = p!.entries.map((e) => (p!.cluster.catalogue.find((d) => d.entry.name === e.name)!.fanout.spec as { externalSecretSpec: EsSpec }).externalSecretSpec);
        // Distinct Secrets, one per format entry, all from the same key and the same field mapping.
        expect(new Set(specs.map((s) => s.target.name)).size).toBe(specs.length);
        for (const s of specs) {
          expect(s.data).toEqual([
            { secretKey: "username", remoteRef: { key: `ocp/${CLUSTER}/github/pat`, property: "username" } },
            { secretKey: "password", remoteRef: { key: `ocp/${CLUSTER}/github/pat`, property: "token" } },
          ]);
        }
        // The platform store reads that key once, and nothing else of the catalogue's besides the pull secret.
        expect(p!.cluster.platform.policy.rules.map((r) => r.path)).toEqual([`secret/data/ocp/${CLUSTER}/registries/app-registry-pull`, `secret/data/ocp/${CLUSTER}/github/pat`]);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 8: Namespace Access Control Enforcement: no namespace without the tenant label ever receives a distributed secret, whatever else it is labelled", () => {
    const anyLabels = fc.dictionary(fc.constantFrom(TENANT, "apps.platform/env", "apps.platform/division", ...ENTRY_NAMES.map(optInLabel), "kubernetes.io/metadata.name"), fc.constantFrom("true", "false", "dev", "payments", "x"), { maxKeys: 6 });
    fc.assert(
      fc.property(scenario, fc.uniqueArray(fc.record({ name: fc.constantFrom("kube-system", "openshift-config", "external-secrets", "apps-x-y-dev"), labels: anyLabels }), { maxLength: 4, selector: (n) => n.name }), ({ tenants, entries }, strangers) => {
        const p = plan(tenants, entries);
        fc.pre(p !== undefined);
        const nss = strangers.map((s) => ({ name: s.name, labels: namespaceLabels(s.name, s.labels) }));
        for (const d of p!.cluster.catalogue) {
          for (const ns of selectedBy(p!.cluster, d.entry.name, nss)) expect(nss.find((n) => n.name === ns)!.labels[TENANT]).toBe("true");
        }
        const store = p!.cluster.platform.store.spec as { conditions: Array<{ namespaceSelector: LabelSelector }> };
        for (const ns of nss) if (store.conditions.some((c) => matches(c.namespaceSelector, ns.labels))) expect(ns.labels[TENANT]).toBe("true");
      }),
      RUNS,
    );
  });
});

interface EsSpec {
  target: { name: string; template: { type: string; data: Record<string, string>; metadata: { labels: Record<string, string> } } };
  data: Array<{ secretKey: string; remoteRef: { key: string; property: string } }>;
}

/** The inputs a Go template reads: `.name` and `index . "name"`. */
function templateInputs(t: string): string[] {
  return [...t.matchAll(/\{\{[^}]*\}\}/g)].flatMap((m) => [...m[0].matchAll(/(?:^|[\s(|])\.([A-Za-z_][A-Za-z0-9_]*)|index \. "([^"]+)"/g)].map((x) => x[1] ?? x[2]!));
}

describe("label selector helpers against brute force", () => {
  const KEYS = ["a", "b"];
  const VALUES = ["1", "2", "3"];
  /** Every label set over KEYS, each key absent or holding a value: one the requirements name, or "4", which none names. */
  const universe: Array<Record<string, string>> = [{}];
  for (const k of KEYS) for (const base of [...universe]) for (const v of [...VALUES, "4"]) universe.push({ ...base, [k]: v });
  const req: fc.Arbitrary<Requirement> = fc.oneof(
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }) }),
    fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists", "DoesNotExist") }),
  );
  const selector: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }), matchExpressions: fc.array(req, { maxLength: 3 }) });

  it("overlap finds a label set both selectors select exactly when one exists; selectsEverything exactly when all are selected", () => {
    fc.assert(
      fc.property(selector, selector, (a, b) => {
        const both = universe.some((l) => matches(a, l) && matches(b, l));
        const w = overlap(a, b);
        expect(w !== undefined).toBe(both);
        if (w) expect(matches(a, w) && matches(b, w)).toBe(true);
        expect(selectsEverything(a)).toBe(universe.every((l) => matches(a, l)));
      }),
      { numRuns: 500 },
    );
  });
});
