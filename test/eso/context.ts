// What every test of the ESO suite shares: the stack under test, and the steps the tests are
// made of (waiting for sync, comparing Secrets, driving the controller's clock, forcing a sync).
import { it } from "vitest";
import { loadStack } from "../../model/load";
import type { ClusterPlan } from "../../model/plan";
import { ROOT } from "../helpers";
import type { VaultClient } from "../integration/vaultClient";
import type { KubeObject } from "../k8s/cluster";
import type { EsoController } from "./controller";
import { differences, expectedSecrets, type ExpectedSecret, type KvLookup, type LiveNamespace } from "./expected";
import { keysRead, snapshot } from "./kv";
import { conditionLines, isReady, listAll, secretData, waitFor } from "./observe";
import type { ControlPlane, DeployedStack } from "./platform";
import type { ReplicaProxy } from "./replica";

export interface StackRun {
  d: DeployedStack;
  cluster: ControlPlane;
  plan: ClusterPlan;
  kvMount: string;
  controller: EsoController;
}

/** One stack's handle in the tests: known statically (name, shipped plan), running once the suite's beforeAll has run. */
export interface StackTests {
  stack: string;
  /** The shipped plan: which tests apply is decided from it when the tests are registered. */
  shipped: ClusterPlan;
  run(): StackRun;
  vault(): VaultClient;
  replica(): ReplicaProxy | undefined;
}

export function shippedPlan(stack: string): ClusterPlan {
  return loadStack({ root: ROOT, stack }).plan.cluster!;
}

export const log = (msg: string) => console.log(`eso: ${msg}`);
export const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

export async function liveNamespaces(cluster: ControlPlane): Promise<LiveNamespace[]> {
  return [...(await listAll(cluster, "namespaces")).values()].map((ns) => ({ name: ns.metadata.name, labels: ns.metadata.labels ?? {} }));
}

export async function kvNow(vault: VaultClient, run: StackRun): Promise<KvLookup> {
  return snapshot(vault, run.kvMount, keysRead(run.plan));
}

export const key = (e: { namespace: string; name: string }) => `${e.namespace}/${e.name}`;

/** Waits until the ExternalSecret rendering each expected Secret is Ready, then returns every Secret. */
export async function waitSynced(run: StackRun, expected: readonly ExpectedSecret[], timeoutMs = 120_000): Promise<Map<string, KubeObject>> {
  let last = new Map<string, KubeObject>();
  await waitFor(
    `${run.d.stack}: ${expected.length} ExternalSecrets Ready`,
    async () => {
      last = await listAll(run.cluster, "externalsecrets");
      return expected.every((e) => isReady(last.get(key(e)))) ? true : undefined;
    },
    () => conditionLines(expected.map((e) => last.get(key(e)) ?? ({ kind: "ExternalSecret (missing)", metadata: { name: e.name, namespace: e.namespace } } as KubeObject)).filter((o) => !isReady(o))),
    timeoutMs,
  );
  return listAll(run.cluster, "secrets");
}

/** Every difference between the expected Secrets and the live ones. */
export function secretDifferences(expected: readonly ExpectedSecret[], secrets: Map<string, KubeObject>): string[] {
  return expected.flatMap((e) => {
    const s = secrets.get(key(e));
    if (!s) return [`${key(e)} (${e.what}): no Secret`];
    return differences(e, { type: s.type as string | undefined, labels: s.metadata.labels ?? {}, data: secretData(s) });
  });
}

/** Moves an object's recorded last refresh back by `ageMs`: the controller's clock, driven without waiting. */
export async function ageRefresh(cluster: ControlPlane, resource: "externalsecret" | "pushsecret", namespace: string, name: string, ageMs: number): Promise<void> {
  const refreshTime = new Date(Date.now() - ageMs).toISOString().replace(/\.\d+Z$/, "Z");
  await cluster.kubectl(["patch", resource, name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { refreshTime } })]);
}

/** What "never" ages to: far beyond any interval, so only an interval of 0 keeps an object from refreshing. */
export const TEN_YEARS = 10 * 365 * 86_400_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes the controller refresh an ExternalSecret now, the way its clock would: its last refresh
 * moved ten years back, then its Secret touched so the controller reconciles it (retried until
 * the controller logs a reconcile of it that was not skipped). Needed for the ExternalSecrets a
 * ClusterExternalSecret owns: a force-sync annotation on those is reverted by the
 * ClusterExternalSecret controller, and the outcome of that sync can be lost to the resulting
 * status conflict (seen with v2.9.0: the failure only in an Event, Ready stayed True).
 */
export async function refreshNow(r: StackRun, namespace: string, name: string): Promise<void> {
  await ageRefresh(r.cluster, "externalsecret", namespace, name, TEN_YEARS);
  await waitFor(
    `${namespace}/${name} refreshed`,
    async () => {
      const since = new Date().toISOString();
      await r.cluster.kubectl(["annotate", "secret", name, "-n", namespace, `platform-secrets.test/touched=${Date.now()}`, "--overwrite"]);
      await sleep(500);
      const lines = r.controller.linesAbout(namespace, name, 50).split("\n").filter((l) => (/"ts":"([^"]+)"/.exec(l)?.[1] ?? "") >= since);
      return lines.some((l) => !l.includes('"skipping refresh"')) ? true : undefined;
    },
    () => r.controller.linesAbout(namespace, name),
    30_000,
    0,
  );
}

/** `oc annotate … force-sync=$(date +%s) --overwrite` (seed 001's rotation step). */
export async function forceSync(cluster: ControlPlane, resource: string, namespace: string, name: string): Promise<void> {
  await cluster.kubectl(["annotate", resource, name, "-n", namespace, `force-sync=${Date.now()}`, "--overwrite"]);
}

/** Objects the controller logged "skipping refresh" for: it reconciled them and, by design, refreshed nothing. */
export function skippedRefreshes(controller: EsoController): Set<string> {
  const out = new Set<string>();
  for (const line of controller.log().split("\n")) {
    if (!line.includes('"skipping refresh"')) continue;
    const entry = JSON.parse(line) as { ExternalSecret?: { name: string; namespace: string }; pushsecret?: { name: string; namespace: string } };
    const o = entry.ExternalSecret ?? entry.pushsecret;
    if (o) out.add(`${o.namespace}/${o.name}`);
  }
  return out;
}

export const refreshTimeOf = (o: KubeObject | undefined) => (o?.status as { refreshTime?: string } | undefined)?.refreshTime;

/** Every Secret the stack must hold right now: live namespaces, KV values as Vault holds them. */
export async function expectedNow(vault: VaultClient, r: StackRun): Promise<ExpectedSecret[]> {
  return expectedSecrets(r.plan, await liveNamespaces(r.cluster), await kvNow(vault, r));
}

/**
 * A test for what a stack declares (PushSecrets, an egress policy): registered only for the stacks
 * that declare it. A stack without one has nothing to check there, which is not a skipped test; a
 * skip is reserved for a missing binary, which CI refuses (test/requireRan.ts).
 */
export function itWhenDeclared(declared: unknown, name: string, fn: () => Promise<void>): void {
  if (declared) it(name, fn);
}
