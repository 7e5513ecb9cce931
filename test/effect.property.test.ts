// Properties of the pack's effect analysis against brute force over small, complete path and
// label universes (>= 1,000 runs each). The generators reach the hard cases: divisions that
// are prefixes of each other and contain '-', `+` and `*` in every position, `deny`, several
// policies on one token.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Capability } from "../model/vaultPolicy";
import { capabilitiesAt, compileAcl } from "../policy/acl";
import { allowedAcl, escapes } from "../policy/reach";
import { vaultEffectiveAccess } from "../policy/rules/access";
import { namespaceSelection } from "../policy/rules/reach";
import { tenantRbac } from "../policy/rules/rbac";
import { matches, selects, selectsWithout, type LabelSelector, type Requirement } from "../model/labelSelector";
import type { ResourceView } from "../policy/shapes";

const RUNS = { numRuns: 1000 };
const CAPS: Capability[] = ["read", "list", "update", "deny"];

/** Every path of 1..depth segments over `alphabet`. */
function universe(alphabets: ReadonlyArray<readonly string[]>): string[] {
  const out: string[] = [];
  const walk = (prefix: string[]) => {
    if (prefix.length) out.push(prefix.join("/"));
    const next = alphabets[prefix.length];
    if (next) for (const v of next) walk([...prefix, v]);
  };
  walk([]);
  return out;
}

const caps = fc.subarray(CAPS, { minLength: 1 });

/** A policy path over `literals`: `+` anywhere, a trailing `*` inside the last segment or after a slash. */
function pathOf(literals: readonly string[], maxSegments: number): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.constantFrom(...literals, "+"), { minLength: 1, maxLength: maxSegments }), fc.constantFrom("none", "inSegment", "afterSlash", "none"))
    .map(([segs, end]) => {
      const path = segs.join("/");
      if (end === "inSegment") return `${path}*`;
      if (end === "afterSlash" && segs.length < maxSegments) return `${path}/*`;
      return path;
    });
}

const rules = (path: fc.Arbitrary<string>) => fc.array(fc.record({ path, capabilities: caps }), { minLength: 1, maxLength: 4 });
const policies = (path: fc.Arbitrary<string>) => fc.array(rules(path), { minLength: 1, maxLength: 3 });

function bruteEscapes(granted: ReturnType<typeof compileAcl>, allowed: ReturnType<typeof compileAcl>, paths: readonly string[]): string[] {
  return paths.filter((p) => {
    const ok = new Set(capabilitiesAt(allowed, p));
    return capabilitiesAt(granted, p).some((c) => !ok.has(c));
  });
}

describe("effect analysis properties", () => {
  it("Feature: platform-secrets, Property 7: reach analysis finds an escape exactly when some path gives a capability outside the allowed set", () => {
    const literals = ["pay", "pay-roll"];
    // Each literal, each literal followed by an unnamed character, an unnamed segment, and the
    // empty segment a trailing "/*" names: one representative of every class, to depth 4.
    const alphabet = ["pay", "pay-roll", "payzz", "pay-rollzz", "zz", ""];
    const paths = universe([alphabet, alphabet, alphabet, alphabet]);
    const path = pathOf(literals, 3);
    fc.assert(
      fc.property(policies(path), rules(path), (granted, allowedRules) => {
        const acl = compileAcl(granted.flatMap((rs, i) => rs.map((r) => ({ ...r, source: `p${i}` }))));
        const allowed = allowedAcl(allowedRules.map((r) => ({ ...r, capabilities: r.capabilities.filter((c) => c !== "deny") })));
        const found = escapes(acl, allowed);
        const brute = bruteEscapes(acl, allowed, paths);
        expect(found.length > 0).toBe(brute.length > 0);
        for (const e of found) expect(bruteEscapes(acl, allowed, [e.path])).toEqual([e.path]);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 8: vault-effective-access flags a tenant's role exactly when its policies reach outside the division", async () => {
    // Paths under the KV mount, position by position: a wildcard or trailing glob anywhere.
    const positions = [["secret"], ["data", "metadata"], ["apps"], ["pay", "pay-roll"], ["ci"]] as const;
    const policyPath = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.array(fc.nat(1), { minLength: 5, maxLength: 5 }), fc.constantFrom("none", "inSegment", "afterSlash"))
      .map(([depth, plus, pick, end]) => {
        const segs = positions.slice(0, depth).map((vals, i) => (plus[i] && i > 0 ? "+" : vals[pick[i]! % vals.length]!));
        const path = segs.join("/");
        return end === "inSegment" ? `${path}*` : end === "afterSlash" && depth < 5 ? `${path}/*` : path;
      });
    const reps = (vals: readonly string[]) => [...vals, ...vals.map((v) => `${v}zz`), "zz", ""];
    const paths = universe([...positions.map(reps), ["zz", ""]]);
    const hcl = (rs: ReadonlyArray<{ path: string; capabilities: Capability[] }>) => rs.map((r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");
    await fc.assert(
      // One policy text per run: HashiCorp's parser costs ~10 ms a text; Property 7 covers merging several.
      fc.asyncProperty(rules(policyPath).map((rs) => [rs]), fc.constantFrom("pay", "pay-roll"), async (granted, division) => {
        const ns = `apps-${division}-ledger-dev`;
        const view = (type: string, name: string, props: Record<string, unknown>): ResourceView => ({ type, urn: `urn:pulumi:p::p::${type}::${name}`, name, props, protect: false });
        const resources = [
          ...["pay", "pay-roll"].map((d) =>
            view("kubernetes:core/v1:Namespace", d, { metadata: { name: `apps-${d}-ledger-dev`, labels: { "apps.platform/tenant": "true", "apps.platform/division": d, "apps.platform/app": "ledger" } } }),
          ),
          ...granted.map((rs, i) => view("vault:index/policy:Policy", `p${i}`, { name: `p${i}`, policy: hcl(rs) })),
          view("vault:kubernetes/authBackendRole:AuthBackendRole", "r", { backend: "c-k8s", roleName: "r", boundServiceAccountNames: ["app-eso"], boundServiceAccountNamespaces: [ns], tokenPolicies: granted.map((_, i) => `p${i}`) }),
        ];
        const reported: string[] = [];
        await vaultEffectiveAccess.checkStack!(resources, {}, (m) => reported.push(m));
        const acl = compileAcl(granted.flatMap((rs, i) => rs.map((r) => ({ ...r, source: `p${i}` }))));
        const allowed = allowedAcl([
          { path: `secret/data/apps/${division}/*`, capabilities: ["read"] },
          { path: `secret/metadata/apps/${division}/*`, capabilities: ["read", "list"] },
        ]);
        const brute = bruteEscapes(acl, allowed, paths);
        expect(reported.length > 0, `${JSON.stringify(granted)}\n${reported.join("\n")}\n${brute.slice(0, 3).join(" ")}`).toBe(brute.length > 0);
        for (const m of reported) expect(m).toContain(`ServiceAccount ${ns}/app-eso (tenant, division ${division})`);
      }),
      RUNS,
    );
  }, 120_000);

  const keys = ["apps.platform/tenant", "team"];
  const values = ["true", "x", "y"];
  const requirement: fc.Arbitrary<Requirement> = fc.oneof(
    fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom("In", "NotIn"), values: fc.subarray(values, { minLength: 1 }) }),
    fc.record({ key: fc.constantFrom(...keys), operator: fc.constantFrom("Exists", "DoesNotExist") }),
  );
  const selector: fc.Arbitrary<LabelSelector> = fc.record(
    { matchLabels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 2 }), matchExpressions: fc.array(requirement, { maxLength: 3 }) },
    { requiredKeys: [] },
  );
  // Every label set over the keys: each absent or one of the values, or a value no selector names.
  const labelSets: Array<Record<string, string>> = [];
  for (const a of [undefined, ...values, "zz"]) for (const b of [undefined, ...values, "zz"]) labelSets.push({ ...(a ? { [keys[0]!]: a } : {}), ...(b ? { [keys[1]!]: b } : {}) });

  it("Feature: platform-secrets, Property 9: a selector reaches a namespace without tenant=true exactly when some label set it matches lacks it", () => {
    fc.assert(
      fc.property(selector, (s) => {
        const brute = labelSets.some((l) => matches(s, l) && l[keys[0]!] !== "true");
        const w = selectsWithout(s, keys[0]!, "true");
        expect(w !== undefined).toBe(brute);
        if (w) expect(matches(s, w) && w[keys[0]!] !== "true").toBe(true);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 10: namespace-selection flags a ClusterExternalSecret exactly when its ORed selectors and names reach a namespace without tenant=true", () => {
    const names = ["apps-pay-ledger-dev", "openshift-config", "apps-ghost-dev"];
    fc.assert(
      fc.property(fc.array(selector, { maxLength: 3 }), fc.subarray(names), (selectors, listed) => {
        const declared = { type: "kubernetes:core/v1:Namespace", urn: "urn:ns", name: "ns", props: { metadata: { name: names[0], labels: { [keys[0]!]: "true" } } }, protect: false };
        const ces = { type: "kubernetes:external-secrets.io/v1:ClusterExternalSecret", urn: "urn:ces", name: "ces", props: { metadata: { name: "ces" }, spec: { namespaceSelectors: selectors, namespaces: listed } }, protect: false };
        const reported: string[] = [];
        void namespaceSelection.checkStack!([declared, ces], {}, (m) => reported.push(m));
        // Brute force: the declared tenant namespace, and any other namespace with any labels and any of the names.
        const candidates = [{ name: names[0]!, labels: { [keys[0]!]: "true" } }, ...names.slice(1).flatMap((name) => labelSets.map((labels) => ({ name, labels })))];
        const brute = candidates.some((ns) => ns.labels[keys[0]!] !== "true" && selects({ selectors, names: listed, regexes: [] }, ns));
        expect(reported.length > 0, reported.join("\n")).toBe(brute);
      }),
      RUNS,
    );
  });
});

describe("effect analysis properties: Kubernetes RBAC and identity groups", () => {
  // The dangerous (API group, resource, verb) triples, written from Kubernetes' documentation
  // rather than from the rule: reading Secrets, minting or impersonating identities, running
  // or executing in pods (directly or through a controller), escalating.
  const DANGEROUS = new Set([
    ...["get", "list", "watch"].map((v) => `/secrets/${v}`),
    "/serviceaccounts/token/create",
    "/serviceaccounts/impersonate",
    "/pods/create",
    ...["create", "get"].flatMap((v) => [`/pods/exec/${v}`, `/pods/attach/${v}`]),
    ...["create", "update", "patch"].flatMap((v) => [`/replicationcontrollers/${v}`, `apps/deployments/${v}`, `apps/daemonsets/${v}`, `batch/jobs/${v}`]),
    ...["escalate", "bind"].map((v) => `rbac.authorization.k8s.io/roles/${v}`),
  ]);
  const groups = ["", "apps", "batch", "rbac.authorization.k8s.io", "example.com"];
  const resources = ["secrets", "configmaps", "pods", "pods/exec", "pods/log", "pods/attach", "serviceaccounts", "serviceaccounts/token", "replicationcontrollers", "deployments", "daemonsets", "jobs", "roles", "services"];
  const verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "impersonate", "escalate", "bind"];
  const triple = (g: string, r: string, v: string) => `${g}/${r}/${v}`;
  const rbacRule = fc.record({
    apiGroups: fc.subarray([...groups, "*"], { minLength: 1, maxLength: 2 }),
    resources: fc.subarray([...resources, "*", "pods/*"], { minLength: 1, maxLength: 3 }),
    verbs: fc.subarray([...verbs, "*"], { minLength: 1, maxLength: 3 }),
  });
  const covered = (values: string[], x: string) => values.includes("*") || values.includes(x) || values.some((v) => v.endsWith("/*") && x.startsWith(v.slice(0, -1)));
  const view = (type: string, name: string, props: Record<string, unknown>, propertyDependencies?: Record<string, string[]>): ResourceView => ({ type, urn: `urn:pulumi:p::p::${type}::${name}`, name, props, protect: false, ...(propertyDependencies ? { propertyDependencies } : {}) });

  it("Feature: platform-secrets, Property 11: tenant-rbac flags a binding exactly when its role allows a dangerous (group, resource, verb) in a namespace holding a Vault login", () => {
    const namespaces = ["apps-pay-ledger-dev", "external-secrets", "monitoring"];
    fc.assert(
      fc.property(fc.array(rbacRule, { minLength: 1, maxLength: 3 }), fc.constantFrom(...namespaces), fc.boolean(), (rules, ns, clusterWide) => {
        const stack = [
          view("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps-pay-ledger-dev", labels: { "apps.platform/tenant": "true", "apps.platform/division": "pay" } } }),
          view("vault:kubernetes/authBackendRole:AuthBackendRole", "eso", { backend: "c-k8s", roleName: "platform-c", boundServiceAccountNames: ["external-secrets"], boundServiceAccountNamespaces: ["external-secrets"], tokenPolicies: ["platform-c-read"] }),
          clusterWide
            ? view("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "role", { metadata: { name: "r" }, rules })
            : view("kubernetes:rbac.authorization.k8s.io/v1:Role", "role", { metadata: { name: "r", namespace: ns }, rules }),
          clusterWide
            ? view("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "b", { metadata: { name: "b" }, roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "User", name: "u" }] })
            : view("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "b", { metadata: { name: "b", namespace: ns }, roleRef: { kind: "Role", name: "r" }, subjects: [{ kind: "User", name: "u" }] }),
        ];
        const reported: string[] = [];
        void tenantRbac.checkStack!(stack, {}, (m) => reported.push(m));
        const dangerous = groups.some((g) => resources.some((r) => verbs.some((v) => DANGEROUS.has(triple(g, r, v)) && rules.some((x) => covered(x.apiGroups, g) && covered(x.resources, r) && covered(x.verbs, v)))));
        const guarded = clusterWide || ns !== "monitoring";
        expect(reported.length > 0, `${JSON.stringify(rules)} ${ns}\n${reported.join("\n")}`).toBe(dangerous && guarded);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 12: vault-effective-access flags an identity graph exactly when someone other than an admin group's own identity-provider group ends up holding the admin policy", async () => {
    const names = ["vault-admins-a", "vault-admins-b", "ops", "guests"];
    const graph = fc.record({
      groups: fc.tuple(...names.map(() => fc.record({ external: fc.boolean(), admin: fc.boolean(), inline: fc.boolean() }))),
      aliases: fc.array(fc.record({ group: fc.nat(names.length - 1), sameName: fc.boolean() }), { maxLength: 3 }),
      entities: fc.array(fc.record({ group: fc.nat(names.length - 1), inline: fc.boolean() }), { maxLength: 2 }),
      subgroups: fc.array(fc.record({ parent: fc.nat(names.length - 1), child: fc.nat(names.length - 1) }), { maxLength: 3 }),
    });
    const adminPolicy = view("vault:index/policy:Policy", "admin", { name: "dc-kv-rw", policy: 'path "secret/data/apps/*" {\n  capabilities = ["create", "read", "update"]\n}\n' });
    await fc.assert(
      fc.asyncProperty(graph, async (g) => {
        const urn = (i: number) => `urn:pulumi:p::p::vault:identity/group:Group::g${i}`;
        const stack: ResourceView[] = [adminPolicy];
        g.groups.forEach((x, i) => {
          const entities = g.entities.filter((e) => e.group === i && e.inline).map((_, k) => `e${i}-${k}`);
          const inlineSubs = x.inline ? g.subgroups.filter((s) => s.parent === i).map((s) => s.child) : [];
          stack.push(
            view("vault:identity/group:Group", `g${i}`, { name: names[i], type: x.external ? "external" : "internal", policies: x.admin ? ["dc-kv-rw"] : [], memberEntityIds: entities, memberGroupIds: inlineSubs.map((c) => `id-${c}`) }, inlineSubs.length ? { memberGroupIds: inlineSubs.map(urn) } : undefined),
          );
        });
        g.aliases.forEach((a, k) => stack.push(view("vault:identity/groupAlias:GroupAlias", `a${k}`, { name: a.sameName ? names[a.group] : `idp-${k}`, mountAccessor: "auth_oidc_1", canonicalId: `id-${a.group}` }, { canonicalId: [urn(a.group)] })));
        g.entities.forEach((e, k) => {
          if (!e.inline) stack.push(view("vault:identity/groupMemberEntityIds:GroupMemberEntityIds", `m${k}`, { groupId: `id-${e.group}`, memberEntityIds: [`x${k}`] }, { groupId: [urn(e.group)] }));
        });
        g.subgroups.forEach((s, k) => {
          if (!g.groups[s.parent]!.inline) stack.push(view("vault:identity/groupMemberGroupIds:GroupMemberGroupIds", `s${k}`, { groupId: `id-${s.parent}`, memberGroupIds: [`id-${s.child}`] }, { groupId: [urn(s.parent)], memberGroupIds: [urn(s.child)] }));
        });
        const reported: string[] = [];
        await vaultEffectiveAccess.checkStack!(stack, {}, (m) => reported.push(m));
        // Brute force: a group's members hold its own policies and those of every group it is (transitively) a member of.
        const parents = (c: number) => g.subgroups.filter((s) => s.child === c).map((s) => s.parent);
        const holds = (i: number, seen = new Set<number>()): boolean => {
          if (seen.has(i)) return false;
          seen.add(i);
          return g.groups[i]!.admin || parents(i).some((p) => holds(p, seen));
        };
        const isAdmin = (i: number) => names[i]!.startsWith("vault-admins-");
        const foreign = (i: number) =>
          g.aliases.some((a) => a.group === i && !(a.sameName && g.groups[i]!.external)) || g.entities.some((e) => e.group === i) || g.subgroups.some((s) => s.parent === i);
        const brute = names.some((_, i) => holds(i) && (!isAdmin(i) || foreign(i)));
        expect(reported.length > 0, `${JSON.stringify(g)}\n${reported.join("\n")}`).toBe(brute);
      }),
      RUNS,
    );
  }, 120_000);
});
