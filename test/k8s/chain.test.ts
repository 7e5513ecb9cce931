// The whole login chain on real servers (issue 14, stage 2): the program's `<cluster>-k8s`
// kubernetes auth backend on OpenBao points at a real kube-apiserver with the reviewer token its
// token controller filled, and ServiceAccount tokens the API server issues through TokenRequest
// log in, or are refused, through OpenBao's own kubernetes auth plugin and the API server's
// TokenReview. No stand-in on either side.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as naming from "../../model/naming";
import { projectValues, readStackConfig } from "../../model/load";
import type { ClusterOutputs } from "../../model/outputs";
import { runOffline, type OfflineRun } from "../../preview/mock";
import { plain } from "../../preview/record";
import { ROOT, runPreview } from "../helpers";
import { applyVaultSide, makeAdoptedAuthMounts } from "../integration/apply";
import { DevServer, findServerBinary, NO_SERVER_BINARY, SERVER_SUITES_SKIPPED } from "../integration/server";
import { VaultClient } from "../integration/vaultClient";
import { findBinaries, KubeCluster } from "./cluster";
import { applyManifests, ESO_CRDS, installCrds, missingCrds } from "./manifests";

const STACK = "spoke-dc-v6";
const PLATFORM_NAMESPACES = ["external-secrets", "openshift-pipelines", "openshift-dns"];

const bao = findServerBinary();
const kube = findBinaries();
const skipped =
  SERVER_SUITES_SKIPPED ??
  [
    ...(bao ? [] : [NO_SERVER_BINARY]),
    ...(kube.missing.length ? [`no ${kube.missing.join(", ")} (bash scripts/kube-build.sh)`] : []),
    ...missingCrds(),
  ].join("; ");
if (skipped) console.log(`chain (OpenBao + kube-apiserver): skipped, ${skipped}`);

describe.skipIf(!!skipped)(`the login chain: OpenBao's ${STACK}-k8s backend on a real kube-apiserver`, () => {
  let cluster: KubeCluster;
  let server: DevServer;
  let vault: VaultClient;
  let spoke: OfflineRun;
  let outputs: ClusterOutputs;
  let out = "";

  /** A token the API server issues for `sa` (TokenRequest), as ESO requests one for its store. */
  const tokenFor = async (namespace: string, sa: string, audience: string) =>
    (await cluster.kubectl(["create", "token", sa, "-n", namespace, `--audience=${audience}`, "--duration=10m"])).stdout.trim();
  const login = (role: string, jwt: string) => vault.request("POST", `auth/${outputs.authPath}/login`, { role, jwt });
  const errors = (r: { body: Record<string, unknown> }) => JSON.stringify(r.body.errors ?? r.body);

  beforeAll(async () => {
    [cluster, server] = await Promise.all([KubeCluster.start(), (async () => {
      const s = new DevServer(bao!);
      await s.start();
      return s;
    })()]);
    vault = new VaultClient(server.address, server.token);

    // The Kubernetes side as the offline preview renders it: reviewer account, its
    // auth-delegator binding and token Secret, tenant namespaces with their app-eso.
    out = mkdtempSync(join(tmpdir(), "platform-secrets-chain-"));
    const r = runPreview(["--stack", STACK, "--out", out]);
    if (r.code !== 0) throw new Error(`npm run preview -- --stack ${STACK} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    await installCrds(cluster, ESO_CRDS);
    for (const ns of PLATFORM_NAMESPACES) await cluster.kubectl(["create", "namespace", ns]);
    const applied = await applyManifests(cluster, join(out, "kubernetes"), { fieldManager: `pulumi-kubernetes-${STACK}` });
    if (applied.failures.length) throw new Error(applied.failures.join("\n"));

    // What the token controller put in the reviewer Secret, for the program's Secret resource.
    const data = await cluster.tokenSecretData("external-secrets", naming.REVIEWER_TOKEN_SECRET);
    if (!data.token || !data["ca.crt"]) throw new Error(`${naming.REVIEWER_TOKEN_SECRET} never got token and ca.crt`);
    const realSecret = (namespace: string, name: string) => (namespace === "external-secrets" && name === naming.REVIEWER_TOKEN_SECRET ? data : undefined);

    // The program with this API server as cluster.apiServer and the default trust (`cluster`:
    // the reviewer Secret's ca.crt); the applier writes exactly what it registered.
    const values = projectValues(readStackConfig(ROOT, STACK).config);
    const clusterValues = { ...(values.cluster as Record<string, unknown>), apiServer: cluster.server };
    const foundation = await runOffline({ root: ROOT, stack: "vault", values: projectValues(readStackConfig(ROOT, "vault").config) });
    spoke = await runOffline({ root: ROOT, stack: STACK, values: { ...values, cluster: clusterValues }, tokenSecretData: realSecret });
    await applyVaultSide(vault, foundation.resources);
    await makeAdoptedAuthMounts(vault, spoke.resources);
    await applyVaultSide(vault, spoke.resources);
    outputs = spoke.outputs.cluster!;
    console.log(`chain: kube-apiserver ${cluster.server} ready in ${(cluster.startupMs / 1000).toFixed(1)} s; OpenBao ${await server.version()} at ${server.address}`);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([cluster?.stop(), server?.stop()]);
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("the backend's config is the real API server, its CA and the token controller's reviewer token", async () => {
    const config = spoke.resources.find((r) => r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig")!;
    const registered = plain(config.inputs) as { kubernetesHost: string; kubernetesCaCert: string; tokenReviewerJwt: string };
    expect(registered.kubernetesHost).toBe(cluster.server);
    expect(registered.kubernetesCaCert).toBe(cluster.caPem);
    expect(registered.tokenReviewerJwt.split(".")).toHaveLength(3);
    const stored = (await vault.must("GET", `auth/${outputs.authPath}/config`)).data as { kubernetes_host: string; kubernetes_ca_cert: string };
    expect(stored.kubernetes_host).toBe(cluster.server);
    expect(stored.kubernetes_ca_cert).toBe(cluster.caPem);
  });

  it("an app-eso token from TokenRequest (audience vault) in each tenant namespace logs in to its role and reads its division", async () => {
    const tenants = Object.entries(outputs.tenantNamespaces);
    expect(tenants.length).toBeGreaterThan(0);
    for (const [namespace, t] of tenants) {
      await vault.must("POST", `${outputs.kvMount}/data/apps/${t.division}/${t.app}/config`, { data: { value: namespace } });
      const r = await login(t.role, await tokenFor(namespace, t.serviceAccount, "vault"));
      expect(r.status, `${namespace} -> ${t.role}: ${errors(r)}`).toBe(200);
      expect(r.body.auth.metadata).toMatchObject({ service_account_namespace: namespace, service_account_name: naming.TENANT_SERVICE_ACCOUNT });
      const read = await vault.withToken(r.body.auth.client_token as string).request("GET", `${outputs.kvMount}/data/apps/${t.division}/${t.app}/config`);
      expect(read.status).toBe(200);
    }
    console.log(`chain: ${tenants.length} tenant namespaces logged in with API-server-issued tokens`);
  });

  it("the same ServiceAccount in a namespace outside the role is refused", async () => {
    const [, t] = Object.entries(outputs.tenantNamespaces)[0]!;
    const outside = naming.tenantNamespace({ division: t.division, app: "intruder", env: "dev" });
    await cluster.kubectl(["create", "namespace", outside]);
    await cluster.kubectl(["create", "serviceaccount", naming.TENANT_SERVICE_ACCOUNT, "-n", outside]);
    const r = await login(t.role, await tokenFor(outside, naming.TENANT_SERVICE_ACCOUNT, "vault"));
    console.log(`chain: ${outside}/app-eso -> ${t.role}: ${r.status} ${errors(r)}`);
    expect(r.status).toBe(403);
    expect(errors(r)).toMatch(/namespace not authorized/);
  });

  it("a token for another audience is refused", async () => {
    const [namespace, t] = Object.entries(outputs.tenantNamespaces)[0]!;
    const r = await login(t.role, await tokenFor(namespace, t.serviceAccount, "https://kubernetes.default.svc.cluster.local"));
    console.log(`chain: ${namespace}/app-eso with audience https://kubernetes.default.svc.cluster.local -> ${t.role}: ${r.status} ${errors(r)}`);
    expect(r.status).toBe(403);
    expect(errors(r)).toMatch(/audience/);
  });

  it("a token whose ServiceAccount was deleted is refused: the API server's TokenReview, not the JWT alone, decides", async () => {
    const [namespace, t] = Object.entries(outputs.tenantNamespaces).at(-1)!;
    const jwt = await tokenFor(namespace, t.serviceAccount, "vault");
    expect((await login(t.role, jwt)).status).toBe(200);
    await cluster.kubectl(["delete", "serviceaccount", t.serviceAccount, "-n", namespace, "--wait"]);
    const deleted = Date.now();
    // The API server caches a successful token authentication for a few seconds: poll.
    let r = await login(t.role, jwt);
    const firstStatus = r.status;
    while (r.status === 200 && Date.now() - deleted < 30_000) {
      await new Promise((res) => setTimeout(res, 1000));
      r = await login(t.role, jwt);
    }
    console.log(
      `chain: ${namespace}/app-eso after its ServiceAccount was deleted -> ${t.role}: first login ${firstStatus}, ` +
        `then ${r.status} ${errors(r)} ${((Date.now() - deleted) / 1000).toFixed(1)} s after the delete`,
    );
    expect(r.status).toBe(403);
  });
});
