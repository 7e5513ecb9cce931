// The Vault side of every shipped stack on a real OpenBao server: real kubernetes-auth logins
// (performed by the server's own plugin against a TokenReview endpoint), real reads, real denials.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOffline, type OfflineRun } from "../../preview/mock";
import * as naming from "../../model/naming";
import type { ClusterOutputs } from "../../model/outputs";
import type { Tenant } from "../../model/tenants";
import { catalogue, soloStackValues } from "../arbitraries";
import { ROOT, SEED_TENANTS } from "../helpers";
import { projectValues, readStackConfig } from "../../model/load";
import { plain } from "../../preview/record";
import { applyVaultSide, makeAdopted } from "./apply";
import { DevServer, findServerBinary, NO_SERVER_BINARY, SERVER_SUITES_SKIPPED } from "./server";
import { TokenReviewServer, type ServiceAccountRef } from "./tokenReview";
import { VaultClient } from "./vaultClient";

const PROPERTY_SECONDS = Number(process.env.INTEGRATION_PROPERTY_SECONDS ?? 120);

const counts = { loginsTried: 0, loginsAllowed: 0, loginsRefused: 0, readsAllowed: 0, readsDenied: 0, unexpected: 0 };
const surprises: string[] = [];

let server: DevServer;
let reviewer: TokenReviewServer;
let kubeHost: string;
let vault: VaultClient;

function expectOutcome(what: string, expected: boolean, actual: boolean, detail: string): void {
  if (expected !== actual) {
    counts.unexpected++;
    surprises.push(`${what}: expected ${expected ? "allowed" : "refused"}, got ${actual ? "allowed" : "refused"} (${detail})`);
  }
}

async function login(authPath: string, role: string, sa: ServiceAccountRef, expected: boolean): Promise<string | undefined> {
  counts.loginsTried++;
  const r = await vault.request("POST", `auth/${authPath}/login`, { role, jwt: reviewer.mint(sa) });
  const allowed = r.status === 200;
  if (allowed) counts.loginsAllowed++;
  else counts.loginsRefused++;
  expectOutcome(`login ${sa.namespace}/${sa.name} as ${authPath}/${role}`, expected, allowed, `${r.status} ${JSON.stringify(r.body.errors ?? "")}`);
  return allowed ? (r.body.auth.client_token as string) : undefined;
}

async function read(token: string | undefined, path: string, expected: boolean, who: string): Promise<void> {
  if (!token) return;
  const r = await vault.withToken(token).request("GET", path);
  const allowed = r.status === 200;
  if (allowed) counts.readsAllowed++;
  else counts.readsDenied++;
  expectOutcome(`${who} reads ${path}`, expected, allowed, String(r.status));
}

const appKey = (kv: string, division: string, app: string) => `${kv}/data/apps/${division}/${app}/config`;

async function seedTenantValues(kv: string, tenants: readonly Tenant[], clusters: readonly string[]): Promise<void> {
  for (const t of tenants) {
    await vault.must("POST", appKey(kv, t.division, t.app), { data: { value: `${t.division}/${t.app}` } });
    if (t.team) await vault.must("POST", `${kv}/data/${naming.ciRobotKey(t.division, t.app)}`, { data: { username: `${t.team}+ci`, token: "robot-token" } });
  }
  for (const c of clusters) await vault.must("POST", `${kv}/data/${naming.registryKey(c, "app-registry-pull")}`, { data: { dockerconfigjson: "{}" } });
}

/** The reviewer token the program registered: the stand-in accepts TokenReviews made with it. */
function trustReviewer(run: OfflineRun): void {
  const config = run.resources.find((r) => r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig");
  const jwt = config && (plain(config.inputs) as { tokenReviewerJwt?: unknown }).tokenReviewerJwt;
  if (typeof jwt === "string") reviewer.reviewers.add(jwt);
}

async function applyStack(run: OfflineRun, on: VaultClient = vault): Promise<void> {
  trustReviewer(run);
  const applied = await applyVaultSide(on, run.resources);
  expect(applied.skipped.every((t) => t.startsWith("vault:identity/"))).toBe(true);
}

/**
 * A cluster stack's values with the TokenReview stand-in as its API server and the stand-in's CA
 * configured: the applier then writes exactly what the program registered, host and CA included.
 */
function atStandIn(values: Record<string, unknown>): Record<string, unknown> {
  const cluster = values.cluster as Record<string, unknown> | undefined;
  if (!cluster) return values;
  return { ...values, cluster: { ...cluster, apiServer: kubeHost, caCert: reviewer.caCert, apiServerCa: "configured" } };
}

const shippedValues = (stack: string) => atStandIn(projectValues(readStackConfig(ROOT, stack).config));

/** The dev server mounts KV v2 at secret/ itself, as the seeds' platform did by hand: adopt it. */
const ADOPT_SECRET = { vault: { mounts: ["secret"] } };
let suiteRan = false;

/** Every tenant namespace of a cluster: in, reads its division, nothing else; foreign and unlisted identities out. */
async function checkTenants(cluster: ClusterOutputs, tenants: readonly Tenant[]): Promise<void> {
  const kv = cluster.kvMount;
  const divisions = [...new Set(Object.values(cluster.tenantNamespaces).map((t) => t.division))];
  for (const [namespace, t] of Object.entries(cluster.tenantNamespaces)) {
    const sa = { namespace, name: t.serviceAccount };
    const token = await login(cluster.authPath, t.role, sa, true);
    await read(token, appKey(kv, t.division, t.app), true, namespace);
    await read(token, `${kv}/data/${naming.canaryKey(t.division)}`, true, namespace);
    await read(token, `${kv}/data/${naming.registryKey(cluster.cluster, "app-registry-pull")}`, false, namespace);
    for (const other of tenants.filter((o) => o.division !== t.division)) await read(token, appKey(kv, other.division, other.app), false, namespace);
    // The same ServiceAccount name must not get into another division's role.
    for (const d of divisions.filter((d) => d !== t.division)) await login(cluster.authPath, naming.tenantRole(cluster.cluster, d), sa, false);
    // Another ServiceAccount in a listed namespace is refused.
    await login(cluster.authPath, t.role, { namespace, name: "default" }, false);
  }
  for (const d of divisions) {
    // A namespace a tenant could create with the division's prefix is not listed, so not let in.
    await login(cluster.authPath, naming.tenantRole(cluster.cluster, d), { namespace: naming.tenantNamespace({ division: d, app: "intruder", env: "dev" }), name: naming.TENANT_SERVICE_ACCOUNT }, false);
  }
}

const BINARY = findServerBinary();
if (!BINARY) console.log(`integration (OpenBao): skipped, ${SERVER_SUITES_SKIPPED ?? NO_SERVER_BINARY}`);

beforeAll(async () => {
  if (!BINARY) return;
  server = new DevServer(BINARY);
  await server.start();
  reviewer = new TokenReviewServer();
  kubeHost = await reviewer.start();
  vault = new VaultClient(server.address, server.token);
}, 1_800_000);

afterAll(async () => {
  if (!BINARY) return;
  await server?.stop();
  await reviewer?.stop();
  if (!suiteRan) return;
  console.log(
    `integration: logins tried ${counts.loginsTried}, allowed ${counts.loginsAllowed}, refused ${counts.loginsRefused}; ` +
      `reads allowed ${counts.readsAllowed}, denied ${counts.readsDenied}; unexpected ${counts.unexpected}`,
  );
});

describe.skipIf(!BINARY)("shipped stacks on a real server", () => {
  const runs: Record<string, OfflineRun> = {};

  beforeAll(async () => {
    for (const stack of ["vault", "spoke-dc-v6", "spoke-dc-v7"]) runs[stack] = await runOffline({ root: ROOT, stack, values: shippedValues(stack) });
    // spoke-dc-v6 adopts its hand-made auth mount: made first, as on the seeded platform.
    for (const run of Object.values(runs)) {
      await makeAdopted(vault, run.resources);
      await applyStack(run);
    }
    await seedTenantValues("secret", runs["vault"]!.loaded.tenants, ["spoke-dc-v6", "spoke-dc-v7"]);
    suiteRan = true;
  }, 120_000);

  it("the server really is OpenBao with the stacks' mounts, policies and roles", async () => {
    expect(await server.version()).toMatch(/^\d+\.\d+/);
    const policies = (await vault.must("GET", "sys/policies/acl?list=true")).data.keys as string[];
    expect(policies).toEqual(expect.arrayContaining(["apps-platform-read", "apps-payments-read", "platform-spoke-dc-v6-read", "platform-spoke-dc-v7-push-write", "pipelines-spoke-dc-v7-quay-robot-read"]));
    const auth = (await vault.must("GET", "sys/auth")).data as Record<string, { type: string }>;
    expect(auth["spoke-dc-v6-k8s/"]?.type).toBe("kubernetes");
    expect(auth["spoke-dc-v7-k8s/"]?.type).toBe("kubernetes");
    expect((await vault.must("GET", "sys/mounts/secret")).options.version).toBe("2");
  });

  it.each(["spoke-dc-v6", "spoke-dc-v7"])("%s: each tenant logs in to its division role and reads only its division", async (stack) => {
    const before = reviewer.reviews;
    await checkTenants(runs[stack]!.outputs.cluster!, runs[stack]!.loaded.tenants);
    expect(reviewer.reviews).toBeGreaterThan(before);
    expect(surprises).toEqual([]);
  });

  it.each(["spoke-dc-v6", "spoke-dc-v7"])("%s: the pipelines role reads each registered ci/quay-robot and nothing else", async (stack) => {
    const c = runs[stack]!.outputs.cluster!;
    const sa = { namespace: naming.PIPELINES_NAMESPACE, name: naming.PIPELINES_SERVICE_ACCOUNT };
    const token = await login(c.authPath, naming.pipelinesRole(c.cluster), sa, true);
    const registered = new Set(Object.values(c.ciSecrets).map((s) => s.vaultKey));
    expect(registered.size).toBeGreaterThan(0);
    for (const t of runs[stack]!.loaded.tenants) {
      if (t.team) await read(token, `${c.kvMount}/data/${naming.ciRobotKey(t.division, t.app)}`, registered.has(naming.ciRobotKey(t.division, t.app)), "pipelines");
      await read(token, appKey(c.kvMount, t.division, t.app), false, "pipelines");
    }
    await login(c.authPath, naming.pipelinesRole(c.cluster), { namespace: "apps-platform-liberty-hello-dev", name: naming.PIPELINES_SERVICE_ACCOUNT }, false);
    expect(surprises).toEqual([]);
  });

  it.each(["spoke-dc-v6", "spoke-dc-v7"])("%s: the platform role reads its catalogue keys under ocp/<cluster>/, not another cluster's or a tenant's", async (stack) => {
    const c = runs[stack]!.outputs.cluster!;
    const other = stack === "spoke-dc-v6" ? "spoke-dc-v7" : "spoke-dc-v6";
    const token = await login(c.authPath, naming.platformRole(c.cluster), { namespace: "external-secrets", name: "external-secrets" }, true);
    await read(token, `${c.kvMount}/data/${naming.registryKey(c.cluster, "app-registry-pull")}`, true, "platform");
    await read(token, `${c.kvMount}/data/${naming.registryKey(other, "app-registry-pull")}`, false, "platform");
    await read(token, appKey(c.kvMount, "payments", "checkout-api"), false, "platform");
    await login(c.authPath, naming.platformRole(c.cluster), { namespace: "apps-payments-checkout-api-dev", name: "external-secrets" }, false);
    expect(surprises).toEqual([]);
  });

  it("a reviewer without the TokenReview grant lets nobody in (seed 002: system:auth-delegator)", async () => {
    await vault.must("POST", "sys/auth/no-delegator-k8s", { type: "kubernetes" });
    await vault.must("POST", "auth/no-delegator-k8s/config", { kubernetes_host: kubeHost, kubernetes_ca_cert: reviewer.caCert, token_reviewer_jwt: "reviewer-without-auth-delegator", disable_local_ca_jwt: true });
    await vault.must("POST", "auth/no-delegator-k8s/role/r", { bound_service_account_names: ["app-eso"], bound_service_account_namespaces: ["apps-platform-liberty-hello-dev"], audience: "vault", token_policies: ["apps-platform-read"] });
    await login("no-delegator-k8s", "r", { namespace: "apps-platform-liberty-hello-dev", name: "app-eso" }, false);
    expect(surprises).toEqual([]);
  });

  it("a role bound by namespace glob (seed 000's failure mode) lets a namespace a tenant created itself in", async () => {
    await vault.must("POST", "auth/spoke-dc-v6-k8s/role/glob-bound", {
      bound_service_account_names: ["app-eso"],
      bound_service_account_namespaces: ["apps-platform-*"],
      audience: "vault",
      token_policies: ["apps-platform-read"],
    });
    const intruder = { namespace: "apps-platform-intruder-dev", name: "app-eso" };
    const token = await login("spoke-dc-v6-k8s", "glob-bound", intruder, true);
    await read(token, appKey("secret", "platform", "liberty-hello"), true, "intruder via glob role");
    // The program's explicit role refuses the same identity.
    await login("spoke-dc-v6-k8s", "apps-spoke-dc-v6-platform", intruder, false);
    await vault.must("DELETE", "auth/spoke-dc-v6-k8s/role/glob-bound");
    expect(surprises).toEqual([]);
  });

  it("seed 001's mid-path '*' grants nothing on this server; '+' and exact paths do", async () => {
    const robot = `secret/data/${naming.ciRobotKey("payments", "checkout-api")}`;
    const variants: Array<[string, string, boolean]> = [
      ["seed-001-glob", "secret/data/apps/*/*/ci/quay-robot", false],
      ["plus-segments", "secret/data/apps/+/+/ci/quay-robot", true],
      ["exact-path", robot, true],
    ];
    for (const [name, path, expected] of variants) {
      await vault.must("PUT", `sys/policies/acl/${name}`, { policy: `path "${path}" {\n  capabilities = ["read"]\n}\n` });
      const token = (await vault.must("POST", "auth/token/create", { policies: [name], no_default_policy: true, ttl: "5m" })).auth.client_token as string;
      await read(token, robot, expected, `token with ${name}`);
    }
    expect(surprises).toEqual([]);
  });
});

describe.skipIf(!BINARY)("generated tenant catalogues on the same server", () => {
  it("Feature: platform-secrets, Property 6: for any valid catalogue, each namespace logs in to its division only and reads only its division", async () => {
    let runsDone = 0;
    const started = Date.now();
    // fast-check abandons the run in progress when the time limit interrupts it; that run must
    // finish (and be judged) before the next test changes the server under it.
    let inFlight: Promise<void> = Promise.resolve();
    await fc.assert(
      fc.asyncProperty(catalogue, (tenants) => {
        const n = runsDone++;
        const one = (async () => {
          const values = atStandIn(soloStackValues("spoke-dc-v6", { auth: { path: `prop${n}-k8s` }, adopt: ADOPT_SECRET }));
          // Named as the cluster's own stack: another name would manage the shipped stack's cluster.
          const run = await runOffline({ root: ROOT, stack: "spoke-dc-v6", values, tenantsData: { tenants } });
          await applyStack(run);
          await seedTenantValues("secret", tenants, ["spoke-dc-v6"]);
          await checkTenants(run.outputs.cluster!, tenants.filter((t) => "spoke-dc-v6" in t.deployments));
          expect(surprises).toEqual([]);
        })();
        inFlight = one.catch(() => undefined);
        return one;
      }),
      { numRuns: 1_000_000, interruptAfterTimeLimit: PROPERTY_SECONDS * 1000 },
    );
    await inFlight;
    expect(surprises).toEqual([]);
    console.log(`property 6: ${runsDone} generated catalogues in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    expect(runsDone).toBeGreaterThan(0);
  }, (PROPERTY_SECONDS + 120) * 1000);
});

describe.skipIf(!BINARY)("first up on seed 002's hand-made objects", () => {
  let hand: DevServer;
  let bao: VaultClient;
  const AUTH = "spoke-dc-v6-k8s";
  const ROLE = "apps-spoke-dc-v6-payments";
  const runWith = (adopt?: unknown, extra: Record<string, unknown> = {}) =>
    runOffline({ root: ROOT, stack: "spoke-dc-v6", values: atStandIn(soloStackValues("spoke-dc-v6", { ...extra, ...(adopt === undefined ? {} : { adopt }) })), tenantsData: SEED_TENANTS });

  beforeAll(async () => {
    hand = new DevServer(BINARY!);
    await hand.start();
    bao = new VaultClient(hand.address, hand.token);
    // Seed 002's runbook, by hand: the KV mount exists (the dev server mounts secret/), the
    // cluster's auth mount, its config, the rw policy, and a role bound by namespace glob.
    await bao.must("POST", `sys/auth/${AUTH}`, { type: "kubernetes" });
    await bao.must("POST", `auth/${AUTH}/config`, { kubernetes_host: kubeHost, kubernetes_ca_cert: reviewer.caCert, token_reviewer_jwt: "hand-made-reviewer", disable_local_ca_jwt: true });
    await bao.must("PUT", "sys/policies/acl/dc-kv-rw", { policy: 'path "k8s_secrets/data/dc/*" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}\n' });
    await bao.must("POST", `auth/${AUTH}/role/${ROLE}`, { bound_service_account_names: ["app-eso"], bound_service_account_namespaces: ["apps-payments-*"], token_policies: ["dc-kv-rw"] });
    await bao.must("POST", "secret/data/apps/payments/checkout-api/config", { data: { value: "written before pulumi" } });
  }, 120_000);

  afterAll(async () => {
    await hand?.stop();
  });

  it("without adoption the first up fails where pulumi-vault fails: the mount path is already in use", async () => {
    const run = await runWith();
    await expect(applyVaultSide(bao, run.resources)).rejects.toThrow(/path is already in use at secret\//);
  });

  it("with adoption nothing is replaced and the roles end up as the program defines them", async () => {
    const mountAccessor = (await bao.must("GET", "sys/mounts/secret")).accessor as string;
    const authAccessor = (await bao.must("GET", `sys/auth/${AUTH}`)).accessor as string;
    const run = await runWith({ vault: { mounts: ["secret"], authBackends: [AUTH], policies: ["dc-kv-rw"], roles: [`${AUTH}/${ROLE}`] } });
    trustReviewer(run);
    const applied = await applyVaultSide(bao, run.resources);
    expect(applied.imported.sort()).toEqual(
      [
        "vault:index/mount:Mount secret",
        `vault:index/authBackend:AuthBackend ${AUTH}`,
        `vault:kubernetes/authBackendConfig:AuthBackendConfig auth/${AUTH}/config`,
        "vault:index/policy:Policy dc-kv-rw",
        `vault:kubernetes/authBackendRole:AuthBackendRole auth/${AUTH}/role/${ROLE}`,
      ].sort(),
    );
    // The same mounts (an accessor is new when a mount is re-created) and the data in them.
    expect((await bao.must("GET", "sys/mounts/secret")).accessor).toBe(mountAccessor);
    expect((await bao.must("GET", `sys/auth/${AUTH}`)).accessor).toBe(authAccessor);
    expect((await bao.must("GET", "secret/data/apps/payments/checkout-api/config")).data.data).toEqual({ value: "written before pulumi" });
    // The role and policy now say what the program says: explicit namespaces, no glob.
    const role = (await bao.must("GET", `auth/${AUTH}/role/${ROLE}`)).data as { bound_service_account_namespaces: string[]; token_policies: string[] };
    expect(role.bound_service_account_namespaces.sort()).toEqual(["apps-payments-checkout-api-dev", "apps-payments-checkout-api-prd"]);
    expect(role.token_policies).toEqual(["apps-payments-read"]);
    expect(String((await bao.must("GET", "sys/policies/acl/dc-kv-rw")).data.policy)).not.toContain("k8s_secrets");
    // The config now carries the program's reviewer: tenant logins work, the glob's intruder is out.
    const viaHand = vault;
    vault = bao;
    try {
      const token = await login(AUTH, ROLE, { namespace: "apps-payments-checkout-api-dev", name: "app-eso" }, true);
      await read(token, "secret/data/apps/payments/checkout-api/config", true, "adopted role");
      await login(AUTH, ROLE, { namespace: "apps-payments-intruder-dev", name: "app-eso" }, false);
    } finally {
      vault = viaHand;
    }
    expect(surprises).toEqual([]);
  });

  it("importing an object that does not exist fails, as the provider's import does", async () => {
    // A fresh auth mount: the role declared as existing is not there.
    const run = await runWith({ vault: { mounts: ["secret"], roles: ["fresh-k8s/apps-spoke-dc-v6-platform"] } }, { auth: { path: "fresh-k8s" } });
    await expect(applyVaultSide(bao, run.resources)).rejects.toThrow(/import of auth\/fresh-k8s\/role\/apps-spoke-dc-v6-platform failed: the object does not exist/);
  });

  it("apiServerCa: system writes no CA; OpenBao's kubernetes auth refuses that (Vault's accepts it from plugin v0.19.0)", async () => {
    const values = soloStackValues("spoke-dc-v6", { auth: { path: "system-roots-k8s" }, adopt: ADOPT_SECRET });
    const cluster = { ...(values.cluster as Record<string, unknown>), apiServer: kubeHost, apiServerCa: "system" };
    const run = await runOffline({ root: ROOT, stack: "spoke-dc-v6", values: { ...values, cluster }, tenantsData: SEED_TENANTS });
    const config = plain(run.resources.find((r) => r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig")!.inputs);
    expect(config).toMatchObject({ backend: "system-roots-k8s", kubernetesHost: kubeHost, disableLocalCaJwt: true });
    expect(config).not.toHaveProperty("kubernetesCaCert");
    await expect(applyVaultSide(bao, run.resources)).rejects.toThrow(/kubernetes_ca_cert must be given when disable_local_ca_jwt is true/);
  });
});
