// The platform the ESO suite runs the controller against, and the seam between how it was made
// and what the controller must then do with it.
//
// A BringUp returns an EsoPlatform: one OpenBao (the primary), optionally a read-replica address
// in front of it, and for every shipped cluster stack a control plane on which that stack's
// Kubernetes side was applied, with the config values (shipped file + overlay) it was deployed
// with. The Vault side of the foundation and of every cluster stack must be on the primary. The
// suite (suite.ts) then writes the KV values, starts the controllers and asserts. This file's
// `localBringUp` makes the platform from the offline render; an end-to-end suite that runs
// `pulumi up` passes its own BringUp built from `startServers`, `prepareCluster` and `overlay`.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStack, projectValues, readStackConfig, STACKS_DIR } from "../../model/load";
import type { ClusterPlan } from "../../model/plan";
import * as naming from "../../model/naming";
import { runOffline } from "../../preview/mock";
import { previewDigest, writeArtifacts } from "../../preview/render";
import { ROOT } from "../helpers";
import { applyVaultSide, makeAdoptedAuthMounts } from "../integration/apply";
import { DevServer } from "../integration/server";
import { VaultClient } from "../integration/vaultClient";
import { KubeCluster, type KubectlResult } from "../k8s/cluster";
import { applyManifests, ESO_CRDS, installCrds } from "../k8s/manifests";
import { applyObjects } from "./observe";
import { ReplicaProxy } from "./replica";

/**
 * What the suite needs of a control plane: its address, kubectl as cluster-admin, a kubeconfig
 * (current context: this control plane) for the controller, and a directory for the controller's
 * log. A KubeCluster is one; an end-to-end harness can adapt its own handle.
 */
export interface ControlPlane {
  server: string;
  kubeconfig: string;
  dir: string;
  kubectl(args: string[], opts?: { input?: string; allowFailure?: boolean }): Promise<KubectlResult>;
}

export interface DeployedStack {
  stack: string;
  cluster: ControlPlane;
  /** The `platform-secrets:*` values (prefix stripped) the stack was deployed with: shipped file plus overlay. */
  values: Record<string, unknown>;
}

export interface EsoPlatform {
  /** The primary, with a token that may read and write every KV path (the platform admin's). */
  vault: VaultClient;
  /** The read replica the stacks' stores read through, when the bring-up routed reads through one. */
  replica?: ReplicaProxy;
  /** Every shipped cluster stack, each on its own control plane. */
  stacks: DeployedStack[];
  stop(): Promise<void>;
}

export type BringUp = () => Promise<EsoPlatform>;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A shipped stack's config values, as its stack file declares them. */
export function shippedValues(stack: string): Record<string, unknown> {
  return projectValues(readStackConfig(ROOT, stack).config);
}

/** Shipped stacks that declare a cluster, sorted. */
export function shippedClusterStacks(): string[] {
  return readdirSync(join(ROOT, STACKS_DIR))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined && isRecord(shippedValues(s).cluster))
    .sort();
}

/** The stack that owns the Vault foundation the cluster stacks read (`foundation.stack`, last segment). */
export function foundationStackOf(clusterStack: string): string {
  const stack = loadStack({ root: ROOT, stack: clusterStack }).config.foundationStack;
  if (!stack) throw new Error(`stack ${clusterStack} reads no foundation stack`);
  return stack.split("/").pop()!;
}

export interface Endpoints {
  /** The primary's address (vault.address). */
  vault: string;
  /** What a stack with vault.readReplica reads through; the primary when absent. */
  replica?: string;
  /** The control plane's address (cluster.apiServer). */
  apiServer?: string;
}

/**
 * A stack's shipped values with the addresses of the test servers: vault.address, vault.readReplica
 * (only where the stack has one), vault.egressCidrs (the /32 of each Vault address, so the egress
 * policy names the servers the controller really talks to) and cluster.apiServer. Nothing else
 * changes: the stores reach the dev server because the stack's own config says so.
 */
export function overlay(stack: string, at: Endpoints): Record<string, unknown> {
  const values = shippedValues(stack);
  const vault: Record<string, unknown> = { ...(values.vault as Record<string, unknown>), address: at.vault };
  if (!isRecord(values.cluster)) return { ...values, vault };
  const replica = vault.readReplica !== undefined ? (at.replica ?? at.vault) : undefined;
  if (replica) vault.readReplica = replica;
  vault.egressCidrs = [...new Set([at.vault, ...(replica ? [replica] : [])].map((a) => `${new URL(a).hostname}/32`))];
  return { ...values, vault, cluster: { ...values.cluster, ...(at.apiServer ? { apiServer: at.apiServer } : {}) } };
}

export interface Servers {
  bao: DevServer;
  /** Root on the primary. */
  vault: VaultClient;
  replica: ReplicaProxy;
  clusters: Record<string, KubeCluster>;
  stop(): Promise<void>;
}

/** One OpenBao dev server, a read-replica address in front of it, and one control plane per stack, started together. */
export async function startServers(stacks: readonly string[], baoBinary: string): Promise<Servers> {
  const bao = new DevServer(baoBinary);
  const clusters: Record<string, KubeCluster> = {};
  let replica: ReplicaProxy | undefined;
  const stop = async () => {
    await replica?.stop();
    await Promise.all([bao.stop(), ...Object.values(clusters).map((c) => c.stop())]);
  };
  try {
    await Promise.all([
      bao.start(),
      ...stacks.map(async (stack) => {
        clusters[stack] = await KubeCluster.start();
      }),
    ]);
    replica = new ReplicaProxy(bao.address, loadStack({ root: ROOT, stack: stacks[0]! }).config.vault.kvMount);
    await replica.start();
  } catch (err) {
    await stop();
    throw err;
  }
  return { bao, vault: new VaultClient(bao.address, bao.token), replica, clusters, stop };
}

/**
 * What the ESO installation (its Helm chart) and the platform provide before the program runs:
 * every ESO CRD, ESO's namespace and ServiceAccount (the platform store's identity), and the
 * namespaces the program writes into but does not create (Pipelines', DNS').
 */
export async function prepareCluster(cluster: ControlPlane, plan: ClusterPlan): Promise<void> {
  await installCrds(cluster, ESO_CRDS);
  const eso = plan.config.eso;
  const namespaces = [eso.namespace, naming.PIPELINES_NAMESPACE, eso.dns.namespace].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
  const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: eso.serviceAccount, namespace: eso.namespace } };
  // Applied, not created: a harness that already made the namespaces can call this too.
  await applyObjects(cluster, [...namespaces, account], "platform-install");
}

/**
 * The Kubernetes side as the offline preview renders it, applied with server-side apply; then the
 * Vault side as the program registers it once the token controller has filled the reviewer
 * Secret (what `pulumi up` does in one pass, the provider waiting for the token).
 */
async function deployClusterStack(vault: VaultClient, d: DeployedStack & { cluster: KubeCluster }, offline: typeof runOffline): Promise<void> {
  const rendered = await offline({ root: ROOT, stack: d.stack, values: d.values });
  const out = mkdtempSync(join(tmpdir(), `platform-secrets-eso-${d.stack}-`));
  try {
    const digest = previewDigest({ resources: rendered.resources, config: {}, diagnostics: [], policyEvents: [], durationMs: 0 });
    writeArtifacts(out, rendered.resources, digest, { projectRoot: ROOT });
    const applied = await applyManifests(d.cluster, join(out, "kubernetes"), { fieldManager: `pulumi-kubernetes-${d.stack}` });
    if (applied.failures.length) throw new Error(`${d.stack}: ${applied.failures.join("\n")}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  const eso = rendered.loaded.plan.cluster!.config.eso;
  const token = await d.cluster.tokenSecretData(eso.namespace, naming.REVIEWER_TOKEN_SECRET);
  if (!token.token || !token["ca.crt"]) throw new Error(`${d.stack}: ${naming.REVIEWER_TOKEN_SECRET} never got token and ca.crt`);
  const real = (namespace: string, name: string) => (namespace === eso.namespace && name === naming.REVIEWER_TOKEN_SECRET ? token : undefined);
  const program = await offline({ root: ROOT, stack: d.stack, values: d.values, tokenSecretData: real });
  await makeAdoptedAuthMounts(vault, program.resources);
  await applyVaultSide(vault, program.resources);
}

/**
 * Every shipped cluster stack on its own control plane, rendered offline with the overlay and
 * applied (Kubernetes by server-side apply, Vault by test/integration/apply.ts); the foundation
 * stack's Vault side first.
 */
export function localBringUp(baoBinary: string): BringUp {
  return async () => {
    const stacks = shippedClusterStacks();
    const servers = await startServers(stacks, baoBinary);
    try {
      const foundation = foundationStackOf(stacks[0]!);
      const base = await runOffline({ root: ROOT, stack: foundation, values: overlay(foundation, { vault: servers.bao.address }) });
      await applyVaultSide(servers.vault, base.resources);
      // The mock runtime is process-wide: one program run at a time, the control planes in parallel.
      let last: Promise<unknown> = Promise.resolve();
      const offline: typeof runOffline = (opts) => {
        const run = last.then(() => runOffline(opts));
        last = run.catch(() => undefined);
        return run;
      };
      const deployed = await Promise.all(
        stacks.map(async (stack): Promise<DeployedStack> => {
          const cluster = servers.clusters[stack]!;
          const values = overlay(stack, { vault: servers.bao.address, replica: servers.replica.address, apiServer: cluster.server });
          await prepareCluster(cluster, loadStack({ root: ROOT, stack, values }).plan.cluster!);
          const d = { stack, cluster, values };
          await deployClusterStack(servers.vault, d, offline);
          return d;
        }),
      );
      return { vault: servers.vault, replica: servers.replica, stacks: deployed, stop: servers.stop };
    } catch (err) {
      await servers.stop();
      throw err;
    }
  };
}
