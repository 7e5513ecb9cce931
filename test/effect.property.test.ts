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
