// The first `pulumi up` on the seeds' running platform (issue 11): adoption of what exists, pull
// secrets that keep other managers' entries, egress that cannot isolate ESO, the API server CA.
import { describe, expect, it } from "vitest";
import { Adoption, adoptSchema, importId } from "../model/adoption";
import { ConfigError } from "../model/configError";
import { loadStack } from "../model/load";
import { pullSecretsToApply } from "../model/pullSecrets";
import { ProgramError, runOffline, type RegisteredResource } from "../preview/mock";
import { importFile } from "../preview/render";
import type { LiveServiceAccounts } from "../preview/standIns";
import { fixtureRoot, inputsOf, k8sNamed, ofType, ownFoundationStack, ROOT, SEED_TENANTS, T } from "./helpers";

const GROUP_ID = "0f5c3f4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f";
const ALIAS_ID = "7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d";

async function solo(overrides: Record<string, unknown>, liveServiceAccounts?: LiveServiceAccounts): Promise<RegisteredResource[]> {
  const root = fixtureRoot({ "stacks/Pulumi.solo.yaml": ownFoundationStack(overrides), "stacks/tenants.yaml": SEED_TENANTS });
  return (await runOffline({ root, stack: "solo", ...(liveServiceAccounts ? { liveServiceAccounts } : {}) })).resources;
}

async function configIssues(overrides: Record<string, unknown>): Promise<string[]> {
  const err = await solo(overrides).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).issues.map((i) => `${i.key}: ${i.message}`);
}

/** Server objects a first `up` would otherwise create: everything but providers, components, reads, patches and random values. */
const serverObjects = (rs: readonly RegisteredResource[]) =>
  rs.filter((r) => r.custom && !r.read && !r.type.startsWith("pulumi:") && !r.type.startsWith("random:") && !r.type.endsWith("Patch"));

describe("import ids, as the providers' import docs give them", () => {
  it("formats each id", () => {
    expect(importId.mount("secret")).toBe("secret");
    expect(importId.authBackend("spoke-dc-v6-k8s")).toBe("spoke-dc-v6-k8s");
    expect(importId.authConfig("spoke-dc-v6-k8s")).toBe("auth/spoke-dc-v6-k8s/config");
    expect(importId.policy("dc-kv-rw")).toBe("dc-kv-rw");
    expect(importId.role("spoke-dc-v6-k8s", "dc-ops")).toBe("auth/spoke-dc-v6-k8s/role/dc-ops");
    expect(importId.kv("secret", "apps/platform/_canary")).toBe("secret/data/apps/platform/_canary");
    expect(importId.kubernetes("default", "apps-x-y-dev")).toBe("apps-x-y-dev/default");
    expect(importId.kubernetes("eso-vault-auth-delegator")).toBe("eso-vault-auth-delegator");
  });

  it("adopts only what is declared, or everything with `all`; groups only with their ids", () => {
    const some = new Adoption(adoptSchema.parse({ vault: { mounts: ["secret"], groups: { "vault-admins-dc": GROUP_ID } } }));
    expect(some.options("mount", "secret", "secret")).toEqual({ import: "secret" });
    expect(some.options("policy", "dc-kv-rw", "dc-kv-rw")).toEqual({});
    expect(some.options("group", "vault-admins-dc", "")).toEqual({ import: GROUP_ID });
    const all = new Adoption(adoptSchema.parse({ all: true }));
    expect(all.options("policy", "dc-kv-rw", "dc-kv-rw")).toEqual({ import: "dc-kv-rw" });
    expect(all.options("group", "vault-admins-dc", "")).toEqual({});
  });
});

describe("adoption in the program", () => {
  it("the vault stack imports the secret/ mount seed 002 created, and creates the rest", async () => {
    const run = await runOffline({ root: ROOT, stack: "vault" });
    const [mount] = ofType(run.resources, T.mount);
    expect(mount!.importId).toBe("secret");
    expect(mount!.protect).toBe(true);
    expect(ofType(run.resources, T.policy).every((p) => p.importId === undefined)).toBe(true);
  });

  it("adopt.all imports every server object a first up would create, with the provider's id", async () => {
    const rs = await solo({ "platform-secrets:adopt": { all: true, vault: { groups: { "vault-admins-dc": GROUP_ID }, groupAliases: { "vault-admins-dc": ALIAS_ID } } } });
    const missing = serverObjects(rs).filter((r) => r.importId === undefined).map((r) => r.urn);
    expect(missing).toEqual([]);
    const ids = (type: string) => ofType(rs, type).map((r) => r.importId);
    expect(ids(T.mount)).toEqual(["secret"]);
    expect(ids(T.authBackend)).toEqual(["spoke-dc-v6-k8s"]);
    expect(ids(T.authConfig)).toEqual(["auth/spoke-dc-v6-k8s/config"]);
    expect(ids(T.role)).toContain("auth/spoke-dc-v6-k8s/role/apps-spoke-dc-v6-payments");
    expect(ids(T.kv)).toContain("secret/data/apps/payments/_canary");
    expect(ids(T.group)).toEqual([GROUP_ID]);
    expect(ids(T.groupAlias)).toEqual([ALIAS_ID]);
    expect(k8sNamed(rs, T.namespace, "apps-payments-checkout-api-dev").importId).toBe("apps-payments-checkout-api-dev");
    expect(k8sNamed(rs, T.ss, "vault-apps", "apps-payments-checkout-api-dev").importId).toBe("apps-payments-checkout-api-dev/vault-apps");
    expect(k8sNamed(rs, T.crb, "eso-vault-auth-delegator").importId).toBe("eso-vault-auth-delegator");
  });

  it("writes the same adoption as a `pulumi import --file` document", async () => {
    const rs = await solo({ "platform-secrets:adopt": { vault: { mounts: ["secret"], roles: ["spoke-dc-v6-k8s/apps-spoke-dc-v6-payments"] } } });
    const file = importFile(rs)!;
    const custom = file.resources.filter((s) => !s.component);
    expect(custom.map((s) => [s.type, s.id]).sort()).toEqual([
      [T.mount, "secret"],
      [T.role, "auth/spoke-dc-v6-k8s/role/apps-spoke-dc-v6-payments"],
    ]);
    // Every parent is an entry before its children; explicit providers are named by URN.
    const names = new Set<string>();
    for (const s of file.resources) {
      if (s.parent) expect(names.has(s.parent), `${s.name} after its parent`).toBe(true);
      names.add(s.name);
    }
    const role = custom.find((s) => s.type === T.role)!;
    expect(file.nameTable[role.provider!]).toMatch(/::pulumi:providers:vault::vault$/);
    expect(file.resources.find((s) => s.name === role.parent)).toMatchObject({ component: true, type: "platform-secrets:vault:KubernetesAuthRole" });
  });

  it("a declared object the stack does not create is an error, not a silent create", async () => {
    const err = await solo({ "platform-secrets:adopt": { vault: { mounts: ["secrets"] } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgramError);
    expect((err as Error).message).toMatch(/mount secrets is declared as existing but this stack creates no such object/);
  });

  it("adopt.all without the admin group's ids is a config error naming the keys", async () => {
    const issues = await configIssues({ "platform-secrets:adopt": { all: true } });
    expect(issues.join("\n")).toMatch(/adopt\.vault\.groups\.vault-admins-dc: is required with adopt\.all/);
    expect(issues.join("\n")).toMatch(/adopt\.vault\.groupAliases\.vault-admins-dc/);
  });
});

describe("default ServiceAccount pull secrets", () => {
  const platform = ["app-registry-pull", "quay-pull", "gh-docker-registry"];

  it("keeps the live entries and adds only the missing ones, in a stable order", () => {
    expect(pullSecretsToApply(["default-dockercfg-x7k2p"], ["app-registry-pull"], platform)).toEqual(["default-dockercfg-x7k2p", "app-registry-pull"]);
    expect(pullSecretsToApply(["app-registry-pull", "default-dockercfg-x7k2p"], ["app-registry-pull"], platform)).toEqual(["app-registry-pull", "default-dockercfg-x7k2p"]);
    // Applying the result again changes nothing: the value converges.
    const once = pullSecretsToApply(["default-dockercfg-x7k2p"], ["app-registry-pull", "quay-pull"], platform);
    expect(pullSecretsToApply(once, ["app-registry-pull", "quay-pull"], platform)).toEqual(once);
  });

  it("removes a platform pull secret no longer enabled, catalogue entries included, and never another manager's entry", () => {
    expect(pullSecretsToApply(["app-registry-pull", "quay-pull", "default-dockercfg-x7k2p"], ["app-registry-pull"], platform)).toEqual(["app-registry-pull", "default-dockercfg-x7k2p"]);
    expect(pullSecretsToApply(["quay-pull", "team-pull"], [], platform)).toEqual(["team-pull"]);
    expect(pullSecretsToApply(["gh-docker-registry", "default-dockercfg-x7k2p"], ["app-registry-pull"], platform)).toEqual(["default-dockercfg-x7k2p", "app-registry-pull"]);
  });

  it("knows every registry Secret of the cluster's catalogue as the platform's, selected in a namespace or not", () => {
    const tenants = loadStack({ root: ROOT, stack: "spoke-dc-v6" }).plan.cluster!.tenants;
    const quayOnly = tenants.find((t) => t.namespace === "apps-platform-quay-only-sample-dev")!;
    // This namespace did not opt into gh-docker-registry, yet the program may take it off `default`
    // there: a tenant that opts out again must lose it.
    expect(quayOnly.imagePullSecrets).not.toContain("gh-docker-registry");
    for (const t of tenants) expect([...t.platformPullSecrets].sort()).toEqual(["app-registry-pull", "gh-docker-registry", "quay-pull"]);
    expect(pullSecretsToApply(["gh-docker-registry", "default-dockercfg-x7k2p"], quayOnly.imagePullSecrets, quayOnly.platformPullSecrets)).toEqual(["default-dockercfg-x7k2p", ...quayOnly.imagePullSecrets]);
  });

  it("keeps quay-pull the platform's when quayPull is switched off, so switching it off takes it off `default`", () => {
    const root = fixtureRoot({ "stacks/Pulumi.solo.yaml": ownFoundationStack({ "platform-secrets:pullSecrets": { quayPull: false } }), "stacks/tenants.yaml": SEED_TENANTS });
    const t = loadStack({ root, stack: "solo" }).plan.cluster!.tenants[0]!;
    expect(t.imagePullSecrets).not.toContain("quay-pull");
    expect(t.platformPullSecrets).toContain("quay-pull");
    expect(pullSecretsToApply(["app-registry-pull", "quay-pull", "default-dockercfg-x7k2p"], t.imagePullSecrets, t.platformPullSecrets)).toEqual(["app-registry-pull", "default-dockercfg-x7k2p"]);
  });

  describe("reads the live `default` wherever it exists, and always forces the patch", () => {
    const ns = "apps-payments-checkout-api-dev";
    const patchOf = (rs: readonly RegisteredResource[]) => inputsOf<{ imagePullSecrets: unknown; metadata: { annotations?: Record<string, string> } }>(k8sNamed(rs, T.saPatch, "default", ns));
    const readsOf = (rs: readonly RegisteredResource[]) => rs.filter((r) => r.read && r.type === T.serviceAccount);

    it("in an adopted namespace: declared, so read without asking", async () => {
      const rs = await solo({ "platform-secrets:adopt": { kubernetes: [`Namespace/${ns}`] } });
      const reads = readsOf(rs);
      expect(reads.map((r) => r.name)).toEqual([`${ns}-default-live`]);
      expect(k8sNamed(rs, T.saPatch, "default", ns).dependencies).toContain(reads[0]!.urn);
      expect(patchOf(rs).imagePullSecrets).toEqual([{ name: "app-registry-pull" }]);
      // Any value but the live one conflicts with the controller's entry (test/k8s), so the patch is forced.
      expect(patchOf(rs).metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
    });

    it("in a namespace an earlier `up` created (not declared): the engine finds `default`, the live list is kept", async () => {
      const rs = await solo({}, { [`${ns}/default`]: ["default-dockercfg-x7k2p"] });
      expect(readsOf(rs).map((r) => r.name)).toEqual([`${ns}-default-live`]);
      expect(patchOf(rs).imagePullSecrets).toEqual([{ name: "default-dockercfg-x7k2p" }, { name: "app-registry-pull" }]);
      expect(patchOf(rs).metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
      // Only that namespace was read.
      expect(readsOf(rs)).toHaveLength(1);
    });

    it("in a namespace this run creates: nothing to read, our list, still forced", async () => {
      const rs = await solo({});
      expect(readsOf(rs)).toEqual([]);
      expect(patchOf(rs).imagePullSecrets).toEqual([{ name: "app-registry-pull" }]);
      expect(patchOf(rs).metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
    });
  });
});

describe("ESO egress", () => {
  it("creates no Egress policy unless the namespace is declared default-deny or the API server is allowed", async () => {
    const rs = await solo({ "platform-secrets:eso": {} });
    expect(ofType(rs, T.netpol)).toEqual([]);
  });

  it("allows the API server when its range is configured", async () => {
    const rs = await solo({ "platform-secrets:eso": { egress: { apiServer: { cidrs: ["172.30.0.1/32", "10.0.0.0/28"] } } } });
    const np = inputsOf<{ spec: { egress: unknown[] } }>(k8sNamed(rs, T.netpol, "eso-allow-egress-to-vault", "external-secrets"));
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: "172.30.0.1/32" } }, { ipBlock: { cidr: "10.0.0.0/28" } }], ports: [{ protocol: "TCP", port: 6443 }] });
  });
});

describe("API server trust", () => {
  const PEM = "-----BEGIN CERTIFICATE-----\nROUTE-CA\n-----END CERTIFICATE-----\n";
  const caOf = (rs: readonly RegisteredResource[]) => inputsOf<{ kubernetesCaCert: string }>(ofType(rs, T.authConfig)[0]!).kubernetesCaCert;

  it("cluster (default): the reviewer Secret's in-cluster ca.crt", async () => {
    expect(caOf(await solo({}))).toMatch(/OFFLINE-PREVIEW-CLUSTER-CA/);
  });

  it("configured: cluster.caCert, for a route or load balancer with another certificate", async () => {
    const cluster = { name: "spoke-dc-v6", apiServer: "https://api.spoke-dc-v6.example:6443", caCert: PEM, apiServerCa: "configured" };
    expect(caOf(await solo({ "platform-secrets:cluster": cluster }))).toBe(PEM);
  });

  it("says when a choice cannot work", async () => {
    const base = { name: "spoke-dc-v6", apiServer: "https://api.spoke-dc-v6.example:6443" };
    expect((await configIssues({ "platform-secrets:cluster": { ...base, apiServerCa: "configured" } })).join("\n")).toMatch(/cluster\.caCert: is required with cluster\.apiServerCa: configured/);
    expect((await configIssues({ "platform-secrets:cluster": { ...base, apiServerCa: "cluster" }, "platform-secrets:auth": { reviewer: "client-jwt" } })).join("\n")).toMatch(
      /cluster\.apiServerCa: cluster cannot work with auth\.reviewer client-jwt/,
    );
    expect((await configIssues({ "platform-secrets:cluster": { ...base, apiServerCa: "cluster", caCert: PEM } })).join("\n")).toMatch(/cluster\.caCert: is ignored/);
    expect((await configIssues({ "platform-secrets:cluster": { ...base, apiServerCa: "system", caCert: PEM } })).join("\n")).toMatch(/cluster\.caCert: is ignored with cluster\.apiServerCa: system/);
    expect((await configIssues({ "platform-secrets:cluster": { ...base, apiServerCa: "public" } })).join("\n")).toMatch(/cluster\.apiServerCa/);
  });

  it.each(["serviceaccount", "client-jwt"])("system, reviewer %s: no CA written, local CA and JWT still disabled", async (reviewer) => {
    const cluster = { name: "spoke-dc-v6", apiServer: "https://api.spoke-dc-v6.example:6443", apiServerCa: "system" };
    const config = inputsOf<Record<string, unknown>>(ofType(await solo({ "platform-secrets:cluster": cluster, "platform-secrets:auth": { reviewer } }), T.authConfig)[0]!);
    expect(config).not.toHaveProperty("kubernetesCaCert");
    expect(config).toMatchObject({ kubernetesHost: cluster.apiServer, disableLocalCaJwt: true });
    expect("tokenReviewerJwt" in config).toBe(reviewer === "serviceaccount");
  });
});
