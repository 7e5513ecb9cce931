// The policy pack: every rule on passing and failing inputs, the whole pack over the
// resources the program really registers, policy config, and the preview's exit codes.
import type { PolicyPackConfig } from "@pulumi/policy";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runOffline, type RegisteredResource } from "../preview/mock";
import { UNKNOWN } from "../preview/record";
import { evaluatePack, PolicyConfigError, resolveConfig } from "../preview/evaluate";
import { parseHcl } from "../policy/hcl";
import { POLICIES } from "../policy/policies";
import { RULES } from "../policy/rules";
import { classifyPolicy, goDurationSeconds, inverse } from "../policy/rules/common";
import * as naming from "../model/naming";
import { fixtureProject, fixtureRoot, ofType, ownFoundationStack, ROOT, runPreview, SEED_TENANTS } from "./helpers";
import { MUTATIONS } from "./mutations";

let solo: RegisteredResource[];
const shipped: Record<string, RegisteredResource[]> = {};

beforeAll(async () => {
  for (const stack of ["spoke-dc-v6", "spoke-dc-v7", "vault"]) shipped[stack] = (await runOffline({ root: ROOT, stack })).resources;
  const root = fixtureRoot({ "stacks/Pulumi.solo.yaml": ownFoundationStack({ "platform-secrets:pullSecrets": { quayPull: true } }), "stacks/tenants.yaml": SEED_TENANTS });
  solo = (await runOffline({ root, stack: "solo" })).resources;
});

describe("the pack over what the program registers", () => {
  it.each(["spoke-dc-v6", "spoke-dc-v7", "vault"])("shipped stack %s passes every rule", async (stack) => {
    expect(await evaluatePack(shipped[stack]!)).toEqual([]);
  });

  it("a single-cluster stack owning its foundation passes every rule", async () => {
    expect(await evaluatePack(solo)).toEqual([]);
  });
});

describe("each rule on a passing and a failing input", () => {
  it("every rule has at least one mutation meant for it", () => {
    expect(new Set(MUTATIONS.map((m) => m.rule))).toEqual(new Set(RULES.map((r) => r.name)));
  });

  it.each(MUTATIONS.map((m) => [m.name, m] as const))("%s is reported by its rule", async (_name, mutation) => {
    const resources = structuredClone(solo);
    expect(mutation.apply(resources, 0), "mutation found something to change").toBe(true);
    const violations = await evaluatePack(resources);
    const mine = violations.filter((v) => v.policy === mutation.rule);
    expect(mine.length, JSON.stringify(violations, null, 1)).toBeGreaterThan(0);
    const level = POLICIES.find((p) => p.name === mutation.rule)!.enforcementLevel;
    expect(mine.every((v) => v.enforcementLevel === level)).toBe(true);
    expect(mine[0]!.message.length).toBeGreaterThan(20);
  });
});

describe("rule helpers", () => {
  it("recognises names by inverting the naming module", () => {
    expect(inverse(naming.divisionReadPolicy)("apps-payments-read")).toBe("payments");
    expect(inverse(naming.divisionReadPolicy)("apps--read")).toBeUndefined();
    expect(inverse(naming.ciSecret)("quay-robot-team-platform-samples")).toBe("platform-samples");
    expect(classifyPolicy("platform-spoke-dc-v6-read")).toEqual({ kind: "platform", cluster: "spoke-dc-v6" });
    expect(classifyPolicy("platform-spoke-dc-v6-push-write")).toEqual({ kind: "push", cluster: "spoke-dc-v6" });
    expect(classifyPolicy("platform-spoke-dc-v6-registries-read")).toEqual({ kind: "platform", cluster: "spoke-dc-v6-registries" });
    expect(classifyPolicy("pipelines-spoke-dc-v6-quay-robot-read")).toEqual({ kind: "pipelines", cluster: "spoke-dc-v6" });
    expect(classifyPolicy("dc-kv-rw")).toEqual({ kind: "admin", env: "dc" });
    expect(classifyPolicy("reader")).toBeUndefined();
  });

  it("parses Go durations as ESO does", () => {
    expect(goDurationSeconds("1h30m")).toBe(5400);
    expect(goDurationSeconds("0")).toBe(0);
    expect(goDurationSeconds("500ms")).toBe(0.5);
    expect(goDurationSeconds("hourly")).toBeUndefined();
    expect(goDurationSeconds("1h x")).toBeUndefined();
  });

  it("parses policy HCL with HashiCorp's parser and rejects what it does not understand", async () => {
    expect(await parseHcl('path "a/b/*" {\n  capabilities = ["read", "list"]\n}\npath "c" { capabilities = ["read"] }\n')).toEqual([
      { path: "a/b/*", capabilities: ["read", "list"] },
      { path: "c", capabilities: ["read"] },
    ]);
    await expect(parseHcl('path "a" { capabilities = [read }')).rejects.toThrow(/parse config/);
    await expect(parseHcl('path "a" {\n  capabilities = ["read"]\n  allowed_parameters = {}\n}\n')).rejects.toThrow(/only "capabilities"/);
    await expect(parseHcl('path "a" { capabilities = ["rule-all"] }')).rejects.toThrow(/not a list of/);
  });
});

describe("policy config", () => {
  it("ships the pack as its own project at the program's version (PolicyPack reads policy/package.json)", () => {
    const pack = JSON.parse(readFileSync(join(ROOT, "policy/package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
    const program = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
    expect(pack.version).toBe(program.version);
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@cdktf/hcl2json"]) expect(pack.dependencies[dep]).toBe(program.dependencies[dep]);
  });

  it("gives every policy a name, a description and a mandatory default (unjudged-type too: the pack fails closed); tunables carry defaults", () => {
    expect(new Set(POLICIES.map((p) => p.name)).size).toBe(POLICIES.length);
    for (const p of POLICIES) {
      expect(p.description.length).toBeGreaterThan(30);
      expect(p.enforcementLevel).toBe("mandatory");
      for (const s of Object.values(p.configSchema?.properties ?? {})) expect(typeof s === "object" && s.default !== undefined).toBe(true);
    }
  });

  it("disables a rule or makes it advisory, and tunes its bounds", async () => {
    const resources = structuredClone(solo);
    MUTATIONS.find((m) => m.name === "role token TTL of a day")!.apply(resources, 0);
    expect((await evaluatePack(resources, { "auth-role-scope": "disabled" })).filter((v) => v.policy === "auth-role-scope")).toEqual([]);
    const advisory = await evaluatePack(resources, { "auth-role-scope": { enforcementLevel: "advisory" } });
    expect(advisory.filter((v) => v.policy === "auth-role-scope").every((v) => v.enforcementLevel === "advisory")).toBe(true);
    expect(await evaluatePack(resources, { "auth-role-scope": { maxTokenTtlSeconds: 86400 } })).toEqual([]);
    const strict = await evaluatePack(solo, { "auth-role-scope": { maxTokenTtlSeconds: 600 } });
    expect(strict.some((v) => v.policy === "auth-role-scope" && /token_ttl 1200: set it, at most 600s/.test(v.message))).toBe(true);
    expect((await evaluatePack(resources, { all: "disabled" }))).toEqual([]);
  });

  it("rejects unknown policies, unknown keys and ill-typed values like the engine", () => {
    expect(() => resolveConfig({ "no-such-rule": "advisory" }, "guard.json")).toThrow(/guard.json[\s\S]*"no-such-rule": no such policy/);
    expect(() => resolveConfig({ "auth-role-scope": { maxTtl: 5 } })).toThrow(/additional properties \(maxTtl\)/);
    expect(() => resolveConfig({ "auth-role-scope": { maxTokenTtlSeconds: "long" } })).toThrow(PolicyConfigError);
    expect(() => resolveConfig(JSON.parse(`{"auth-role-scope": "loud"}`) as PolicyPackConfig)).toThrow(/enforcementLevel/);
  });
});

/** One more resource registered by hand next to the program's (inputs and outputs alike). */
function added(like: RegisteredResource, type: string, name: string, props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = {}): RegisteredResource {
  const [stack, project] = like.urn.split("::");
  return { urn: `${stack}::${project}::${type}::${name}`, type, name, custom: true, protect: false, read: false, dependencies: [], propertyDependencies, inputs: structuredClone(props), outputs: structuredClone(props) };
}

describe("fail closed", () => {
  const webhook = () => added(solo[0]!, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "inject", { metadata: { name: "inject" } });

  it("refuses a type it does not model, mandatory by default; allowTypes or allowUrns accept it once reviewed, and nothing else", async () => {
    const resources = [...structuredClone(solo), webhook()];
    const found = (await evaluatePack(resources)).filter((v) => v.policy === "unjudged-type");
    expect(found.map((v) => [v.enforcementLevel, v.urn])).toEqual([["mandatory", resources.at(-1)!.urn]]);
    expect(await evaluatePack(resources, { "unjudged-type": { allowTypes: ["kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration"] } })).toEqual([]);
    expect(await evaluatePack(resources, { "unjudged-type": { allowUrns: [resources.at(-1)!.urn] } })).toEqual([]);
    const other = [...resources, added(solo[0]!, "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration", "check", { metadata: { name: "check" } })];
    const left = await evaluatePack(other, { "unjudged-type": { allowUrns: [resources.at(-1)!.urn] } });
    expect(left.map((v) => v.urn)).toEqual([other.at(-1)!.urn]);
  });

  it("judges what a first preview cannot see yet: references by dependency, and refuses a raw write whose body is unknown", async () => {
    const group = ofType(solo, "vault:identity/group:Group")[0]!;
    // A first preview knows neither the admin group's id nor the alias's canonicalId.
    const alias = added(solo[0]!, "vault:identity/groupAlias:GroupAlias", "everyone", { name: "everyone", mountAccessor: UNKNOWN, canonicalId: UNKNOWN }, { canonicalId: [group.urn] });
    const hidden = added(solo[0]!, "vault:generic/endpoint:Endpoint", "later", { path: "sys/policies/acl/later", dataJson: UNKNOWN });
    const found = await evaluatePack([...structuredClone(solo), alias, hidden]);
    expect(new Set(found.filter((v) => v.urn === alias.urn).map((v) => v.policy))).toEqual(new Set(["vault-effective-access"]));
    expect(found.find((v) => v.urn === alias.urn)!.message).toMatch(/members of identity-provider group "everyone" \(aliased onto vault-admins-dc\) reaches secret\/data\/apps\//);
    expect(found.filter((v) => v.urn === hidden.urn).map((v) => [v.policy, v.enforcementLevel])).toEqual([["unjudged-type", "mandatory"]]);
    expect(found.find((v) => v.urn === hidden.urn)!.message).toMatch(/writing sys\/policies\/acl\/later \(its body is not readable\)/);
    expect(found.filter((v) => v.enforcementLevel === "advisory")).toEqual([]);
  });
});

describe("platform objects outside platform namespaces (issue 23, item 3)", () => {
  it("ESO placed in a tenant namespace: the reviewer, its binding and token, the egress policy and the platform store are each refused", async () => {
    const root = fixtureRoot({
      "stacks/Pulumi.solo.yaml": ownFoundationStack({ "platform-secrets:eso": { namespace: "apps-payments-checkout-api-dev", egress: { namespaceDefaultDeny: true } } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    let resources: RegisteredResource[];
    try {
      resources = (await runOffline({ root, stack: "solo" })).resources;
    } catch (err) {
      // Config validation may refuse it first (the config-time half); then it must say where.
      expect(String(err)).toMatch(/eso\.namespace/);
      return;
    }
    const found = (await evaluatePack(resources)).filter((v) => v.policy === "platform-namespace").map((v) => v.message.split("\n").pop()!);
    for (const what of [/ClusterRoleBinding eso-vault-auth-delegator binds system:auth-delegator/, /ServiceAccount apps-payments-checkout-api-dev\/eso-vault-auth is bound to system:auth-delegator/, /Secret apps-payments-checkout-api-dev\/eso-vault-auth-token is a long-lived token/, /NetworkPolicy apps-payments-checkout-api-dev\/eso-allow-egress-to-vault/, /ClusterSecretStore vault-platform logs in as ServiceAccount apps-payments-checkout-api-dev\/external-secrets/]) {
      expect(found, found.join("\n")).toContainEqual(expect.stringMatching(what));
    }
  });
});

describe("offline preview with the pack", () => {

  it("exits 2 on a mandatory violation and prints pack, level, rule, URN and message; 0 once advisory", () => {
    const root = fixtureProject({
      "stacks/Pulumi.slow.yaml": ownFoundationStack({ "platform-secrets:vault": { address: "https://vault.example:8200", egressCidrs: ["10.0.0.1/32"], tokenTtlSeconds: 7200, tokenMaxTtlSeconds: 7200 } }),
      "stacks/tenants.yaml": SEED_TENANTS,
      "guard.json": JSON.stringify({ "auth-role-scope": "advisory" }),
    });
    const failing = runPreview(["--stack", "slow"], root);
    expect(failing.code, failing.stderr).toBe(2);
    expect(failing.stdout).toMatch(/\[mandatory\] {2}platform-secrets-guard v0\.1\.0 {2}auth-role-scope \(urn:pulumi:slow::platform-secrets::.*AuthBackendRole::apps-spoke-dc-v6-payments\)/);
    expect(failing.stdout).toContain('role "apps-spoke-dc-v6-payments" token_ttl 7200: set it, at most 3600s');
    const advisory = runPreview(["--stack", "slow", "--policy-pack-config", "guard.json"], root);
    expect(advisory.code, advisory.stderr).toBe(0);
    expect(advisory.stdout).toContain("[advisory]");
  });
});
