// The pure evaluators against documented cases: Vault's policy matching (developer docs,
// "Policies": globs, `+`, priority matching, deny) and Kubernetes label selectors
// ("Labels and Selectors": set-based requirements).
import { describe, expect, it } from "vitest";
import type { Capability } from "../model/vaultPolicy";
import { capabilitiesAt, compileAcl, winningRule } from "../policy/acl";
import { ANY, allowedAcl, escapes } from "../policy/reach";
import { matches, selects, selectsWithout, selectorProblem, witness } from "../model/labelSelector";

const acl = (...rules: Array<[string, Capability[]]>) => compileAcl(rules.map(([path, capabilities], i) => ({ path, capabilities, source: `p${i}` })));

describe("Vault ACL matching", () => {
  it("a trailing * is a string prefix; any other * is a literal character", () => {
    const a = acl(["secret/foo*", ["read"]], ["secret/data/apps/*/*/ci/quay-robot", ["read"]]);
    expect(capabilitiesAt(a, "secret/foo")).toEqual(["read"]);
    expect(capabilitiesAt(a, "secret/foobar/baz")).toEqual(["read"]);
    expect(capabilitiesAt(a, "secret/fo")).toEqual([]);
    expect(capabilitiesAt(a, "secret/data/apps/payments/checkout-api/ci/quay-robot")).toEqual([]);
    expect(capabilitiesAt(a, "secret/data/apps/*/*/ci/quay-robot")).toEqual(["read"]);
  });

  it("+ is exactly one segment, in any position, also with a trailing *", () => {
    const a = acl(["secret/+/teamb", ["read"]], ["secret/+/+/teamc*", ["list"]]);
    expect(capabilitiesAt(a, "secret/a/teamb")).toEqual(["read"]);
    expect(capabilitiesAt(a, "secret/a/b/teamb")).toEqual([]);
    expect(capabilitiesAt(a, "secret/a/b/teamc-x/y")).toEqual(["list"]);
    expect(capabilitiesAt(a, "secret/a/teamc")).toEqual([]);
  });

  it("an exact path wins over every glob", () => {
    const a = acl(["secret/foo", ["read"]], ["secret/foo*", ["update"]], ["secret/+", ["list"]]);
    expect(capabilitiesAt(a, "secret/foo")).toEqual(["read"]);
  });

  it("priority: later first wildcard, then no trailing *, then fewer +, then longer", () => {
    // The docs' example: secret/* beats secret/+/* (same first wildcard, both globs, fewer +).
    expect(winningRule(acl(["secret/*", ["read"]], ["secret/+/*", ["list"]]), "secret/a/b")!.key).toBe("secret/*");
    expect(winningRule(acl(["secret/+/b", ["read"]], ["secret/a/*", ["list"]]), "secret/a/b")!.key).toBe("secret/a/*");
    expect(winningRule(acl(["secret/+/bar", ["read"]], ["secret/+/ba*", ["list"]]), "secret/x/bar")!.key).toBe("secret/+/bar");
    expect(winningRule(acl(["secret/+/+/c", ["read"]], ["secret/+/b/+", ["list"]]), "secret/a/b/c")!.key).toBe("secret/+/b/+");
    expect(winningRule(acl(["secret/+/bar/b*", ["read"]], ["secret/+/bar/ba*", ["list"]]), "secret/x/bar/baz")!.key).toBe("secret/+/bar/ba*");
    // Only the longest pure prefix takes part.
    expect(winningRule(acl(["secret/*", ["read"]], ["secret/data/*", ["list"]]), "secret/data/x")!.key).toBe("secret/data/*");
  });

  it("deny in the winning rule allows nothing; a more specific grant beats a broader deny", () => {
    const a = acl(["secret/data/apps/*", ["read"]], ["secret/data/apps/platform/*", ["deny"]], ["secret/data/apps/platform/open", ["read"]]);
    expect(capabilitiesAt(a, "secret/data/apps/platform/x")).toEqual([]);
    expect(capabilitiesAt(a, "secret/data/apps/platform/open")).toEqual(["read"]);
    expect(capabilitiesAt(a, "secret/data/apps/payments/x")).toEqual(["read"]);
  });

  it("the same path in several policies merges capabilities, and deny there wins", () => {
    expect(capabilitiesAt(acl(["secret/a", ["read"]], ["secret/a", ["list"]]), "secret/a")).toEqual(["list", "read"]);
    expect(capabilitiesAt(acl(["secret/a/*", ["read"]], ["secret/a/*", ["deny"]], ["secret/a/*", ["list"]]), "secret/a/x")).toEqual([]);
  });
});

describe("reach: where a token escapes its allowed set", () => {
  const tenant = allowedAcl([{ path: "secret/data/apps/pay/*", capabilities: ["read"] }]);

  it("finds a division whose name extends another's through a segment-internal *", () => {
    const [e] = escapes(acl(["secret/data/apps/pay*", ["read"]]), tenant);
    expect(e!.path).toBe(`secret/data/apps/pay${ANY}`);
    expect(e!.rule).toBe("secret/data/apps/pay*");
  });

  it("passes deny stanzas, exact paths and narrower grants", () => {
    expect(escapes(acl(["secret/data/apps/pay/*", ["read"]], ["secret/data/apps/pay/x/*", ["deny"]]), tenant)).toEqual([]);
    expect(escapes(acl(["secret/data/apps/pay/a/b", ["read"]], ["secret/data/apps/pay/+/c", ["read"]]), tenant)).toEqual([]);
    expect(escapes(acl(["secret/data/apps/*", ["deny"]]), tenant)).toEqual([]);
  });

  it("sees through a deny that covers only part of a broad grant", () => {
    const found = escapes(acl(["secret/data/apps/+/*", ["read"]], ["secret/data/apps/pay-roll/*", ["deny"]]), tenant);
    expect(found.map((e) => e.path)).toEqual([`secret/data/apps/${ANY}/${ANY}`]);
  });

  it("reports capabilities beyond the allowed ones on allowed paths", () => {
    expect(escapes(acl(["secret/data/apps/pay/*", ["read", "update"]]), tenant)[0]!.extra).toEqual(["update"]);
  });
});

describe("label selectors", () => {
  const prod = { environment: "production", tier: "frontend" };
  const qa = { environment: "qa" };
  const bare = {};

  it("set-based requirements as documented: In, NotIn (absent keys match), Exists, DoesNotExist", () => {
    const inSel = { matchExpressions: [{ key: "environment", operator: "In", values: ["production", "qa"] }] };
    expect([prod, qa, bare].map((l) => matches(inSel, l))).toEqual([true, true, false]);
    const notIn = { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend", "backend"] }] };
    expect([prod, qa, bare].map((l) => matches(notIn, l))).toEqual([false, true, true]);
    const exists = { matchExpressions: [{ key: "tier", operator: "Exists" }] };
    expect([prod, qa].map((l) => matches(exists, l))).toEqual([true, false]);
    const absent = { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] };
    expect([prod, qa].map((l) => matches(absent, l))).toEqual([false, true]);
  });

  it("matchLabels and matchExpressions are ANDed; {} selects everything; nil and invalid select nothing", () => {
    const both = { matchLabels: { environment: "production" }, matchExpressions: [{ key: "tier", operator: "In", values: ["backend"] }] };
    expect(matches(both, prod)).toBe(false);
    expect(matches({}, bare)).toBe(true);
    expect(matches(undefined, prod)).toBe(false);
    expect(selectorProblem({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toMatch(/needs values/);
    expect(selectorProblem({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toMatch(/takes no values/);
    expect(matches({ matchExpressions: [{ key: "a", operator: "Equals", values: ["x"] }] }, { a: "x" })).toBe(false);
  });

  it("decides whether a selector can reach a namespace without a label, over every label set", () => {
    const tenant = { matchLabels: { "apps.platform/tenant": "true" } };
    expect(selectsWithout(tenant, "apps.platform/tenant", "true")).toBeUndefined();
    expect(selectsWithout({ matchExpressions: [{ key: "apps.platform/tenant", operator: "In", values: ["true", "yes"] }] }, "apps.platform/tenant", "true")).toEqual({ "apps.platform/tenant": "yes" });
    expect(selectsWithout({ matchExpressions: [{ key: "apps.platform/tenant", operator: "Exists" }] }, "apps.platform/tenant", "true")).toEqual({ "apps.platform/tenant": "x0" });
    expect(selectsWithout({}, "apps.platform/tenant", "true")).toEqual({});
    expect(witness([{ key: "a", operator: "In", values: ["1"] }, { key: "a", operator: "NotIn", values: ["1"] }])).toBeUndefined();
  });

  it("namespace selection: selectors ORed, names, and unanchored regexes", () => {
    const sel = { selectors: [{ matchLabels: { t: "1" } }, undefined], names: ["default"], regexes: ["^kube-"] };
    expect(selects(sel, { name: "a", labels: { t: "1" } })).toBe(true);
    expect(selects(sel, { name: "default", labels: {} })).toBe(true);
    expect(selects(sel, { name: "kube-system", labels: {} })).toBe(true);
    expect(selects({ selectors: [], names: [], regexes: ["pipelines"] }, { name: "openshift-pipelines", labels: {} })).toBe(true);
    expect(selects(sel, { name: "b", labels: {} })).toBe(false);
  });
});
