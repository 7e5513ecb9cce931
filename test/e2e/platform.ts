// The platform the end-to-end suite deploys onto: one OpenBao dev server and one control plane per
// shipped cluster stack on 127.0.0.1, made to look like the seeds' platform before the first
// `pulumi up` (seed 002: KV v2 at secret/ with a value in it, oidc/ for the admin groups, each
// cluster's kubernetes auth mount enabled by hand where the runbook did it), plus what ESO's
// installation provides (CRDs, its namespace and ServiceAccount). Then the project copy with the
// overlaid stack files and the Pulumi environment pointing at all of it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { loadStack } from "../../model/load";
import * as naming from "../../model/naming";
import { ROOT } from "../helpers";
import { foundationStackOf, prepareCluster, shippedClusterStacks, startServers, type Servers } from "../eso/platform";
import { copyWorkingTree, writeKubeconfig, writeOverlayStack } from "./overlay";
import { Pulumi, type PulumiTools } from "./pulumi";

/** The cluster whose auth mount seed 002 enabled by hand: the runbook's cluster. */
export const HAND_MADE_AUTH_CLUSTER = "spoke-dc-v6";
/** A value written before the first up: it must survive the adoption of its mount. */
export const EARLIER_VALUE = { key: "platform/existing", data: { written: "before the first pulumi up" } };

export interface E2ePlatform {
  servers: Servers;
  pulumi: Pulumi;
  /** The project copy the CLI runs in. */
  project: string;
  /** The temporary directory holding the copy, the state and the kubeconfig. */
  dir: string;
  kubeconfig: string;
  foundation: string;
  clusterStacks: string[];
  /** Each stack's `platform-secrets:*` values as deployed (shipped + overlay). */
  values: Record<string, Record<string, unknown>>;
  /** The KV mount's accessor before any pulumi command. */
  kvAccessorBefore: string;
  authAccessorBefore: string;
  stop(): Promise<void>;
}

const CACHE = process.env.PLATFORM_SECRETS_CACHE ?? join(homedir(), ".cache/platform-secrets");

/** Seed 002's hand-made platform on the dev server. */
async function seedPlatform(servers: Servers, kvMount: string): Promise<{ kv: string; auth: string }> {
  const { vault } = servers;
  // The dev server may or may not mount a KV v2 engine on its own: make it exactly seed 002's.
  const mounts = (await vault.must("GET", "sys/mounts")).data as Record<string, { type: string; accessor: string; options?: { version?: string } }>;
  if (mounts[`${kvMount}/`]) await vault.must("DELETE", `sys/mounts/${kvMount}`);
  await vault.must("POST", `sys/mounts/${kvMount}`, { type: "kv", options: { version: "2" } });
  await vault.must("POST", `${kvMount}/data/${EARLIER_VALUE.key}`, { data: EARLIER_VALUE.data });
  await vault.must("POST", "sys/auth/oidc", { type: "oidc" });
  // Seed 002 enables the mount and writes its config (`vault write auth/<cluster>-k8s/config
  // kubernetes_host=…`); the reviewer account the runbook takes a token from is the program's, so
  // before the first up only the host and its CA can be written.
  const authMount = naming.authPath(HAND_MADE_AUTH_CLUSTER);
  await vault.must("POST", `sys/auth/${authMount}`, { type: "kubernetes" });
  const cluster = servers.clusters[HAND_MADE_AUTH_CLUSTER]!;
  // Vault runs outside the cluster (a VM in seed 000): no local ServiceAccount files to fall back on.
  await vault.must("POST", `auth/${authMount}/config`, { kubernetes_host: cluster.server, kubernetes_ca_cert: cluster.caPem, disable_local_ca_jwt: true });
  const after = (await vault.must("GET", "sys/mounts")).data as Record<string, { accessor: string }>;
  const auth = (await vault.must("GET", "sys/auth")).data as Record<string, { accessor: string }>;
  return { kv: after[`${kvMount}/`]!.accessor, auth: auth[`${authMount}/`]!.accessor };
}

export async function startPlatform(tools: PulumiTools, baoBinary: string): Promise<E2ePlatform> {
  const clusterStacks = shippedClusterStacks();
  const foundation = foundationStackOf(clusterStacks[0]!);
  const dir = mkdtempSync(join(tmpdir(), "platform-secrets-e2e-"));
  let servers: Servers | undefined;
  const stop = async () => {
    Pulumi.killAll();
    await servers?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    servers = await startServers(clusterStacks, baoBinary);
    const project = join(dir, "project");
    copyWorkingTree(ROOT, project);
    const values: Record<string, Record<string, unknown>> = {};
    values[foundation] = writeOverlayStack(ROOT, project, foundation, { vault: servers.bao.address });
    for (const stack of clusterStacks) {
      const cluster = servers.clusters[stack]!;
      values[stack] = writeOverlayStack(ROOT, project, stack, { vault: servers.bao.address, replica: servers.replica.address, apiServer: cluster.server, kubeContext: stack });
      await prepareCluster(cluster, loadStack({ root: project, stack }).plan.cluster!);
    }
    const kubeconfig = join(dir, "kubeconfig");
    writeKubeconfig(kubeconfig, servers.clusters);
    const seeded = await seedPlatform(servers, loadStack({ root: project, stack: foundation }).config.vault.kvMount);
    const home = join(CACHE, "e2e-pulumi-home");
    mkdirSync(home, { recursive: true });
    const pulumi = new Pulumi({ tools, dir, home, extraEnv: { VAULT_ADDR: servers.bao.address, VAULT_TOKEN: servers.bao.token, KUBECONFIG: kubeconfig } });
    await pulumi.registerPlugins();
    for (const stack of [foundation, ...clusterStacks]) await pulumi.must(["stack", "init", stack], { cwd: project });
    return { servers, pulumi, project, dir, kubeconfig, foundation, clusterStacks, values, kvAccessorBefore: seeded.kv, authAccessorBefore: seeded.auth, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
