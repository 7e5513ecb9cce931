// The seeds' validation, for real: the ESO controller reconciles every secret each shipped
// cluster stack declares, on a platform a BringUp made (platform.ts), and the seeds' failure
// modes happen for real. `describeEsoSuite` registers the tests; test/eso/eso.test.ts runs them on
// the offline render, an end-to-end suite can run them after its own `pulumi up`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStack } from "../../model/load";
import * as naming from "../../model/naming";
import type { ClusterPlan } from "../../model/plan";
import { ROOT } from "../helpers";
import type { VaultClient } from "../integration/vaultClient";
import type { KubeCluster, KubeObject } from "../k8s/cluster";
import { EsoController } from "./controller";
import { admitsTcp, type EgressPolicySpec } from "./egress";
import { differences, entrySecrets, expectedSecrets, selected, type ExpectedSecret, type KvLookup, type LiveNamespace } from "./expected";
import { clusterValues, keysRead, readValue, snapshot, tenantSecretKey, tlsMaterial, writeValues } from "./kv";
import { conditionLines, conditionOf, connectionsOf, getObject, isReady, keyOf, listAll, secretData, waitFor } from "./observe";
import { shippedClusterStacks, type BringUp, type DeployedStack, type EsoPlatform } from "./platform";

interface StackRun {
  d: DeployedStack;
  cluster: KubeCluster;
  plan: ClusterPlan;
  kvMount: string;
  controller: EsoController;
}

const log = (msg: string) => console.log(`eso: ${msg}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** A Go duration as ESO prints it (`720h0m0s`, `30m`, `0s`), in milliseconds. */
export function goDuration(s: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!m || s === "") throw new Error(`not a duration: ${s}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

async function liveNamespaces(cluster: KubeCluster): Promise<LiveNamespace[]> {
  return [...(await listAll(cluster, "namespaces")).values()].map((ns) => ({ name: ns.metadata.name, labels: ns.metadata.labels ?? {} }));
}

async function kvNow(vault: VaultClient, run: StackRun): Promise<KvLookup> {
  return snapshot(vault, run.kvMount, keysRead(run.plan));
}

const key = (e: { namespace: string; name: string }) => `${e.namespace}/${e.name}`;

/** Waits until the ExternalSecret rendering each expected Secret is Ready, then returns every Secret. */
async function waitSynced(run: StackRun, expected: readonly ExpectedSecret[], timeoutMs = 120_000): Promise<Map<string, KubeObject>> {
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
function secretDifferences(expected: readonly ExpectedSecret[], secrets: Map<string, KubeObject>): string[] {
  return expected.flatMap((e) => {
    const s = secrets.get(key(e));
    if (!s) return [`${key(e)} (${e.what}): no Secret`];
    return differences(e, { type: s.type as string | undefined, labels: s.metadata.labels ?? {}, data: secretData(s) });
  });
}

/** Moves an object's recorded last refresh back by `ageMs`: the controller's clock, driven without waiting. */
async function ageRefresh(cluster: KubeCluster, resource: "externalsecret" | "pushsecret", namespace: string, name: string, ageMs: number): Promise<void> {
  const refreshTime = new Date(Date.now() - ageMs).toISOString().replace(/\.\d+Z$/, "Z");
  await cluster.kubectl(["patch", resource, name, "-n", namespace, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status: { refreshTime } })]);
}

/** `oc annotate … force-sync=$(date +%s) --overwrite` (seed 001's rotation step). */
async function forceSync(cluster: KubeCluster, resource: string, namespace: string, name: string): Promise<void> {
  await cluster.kubectl(["annotate", resource, name, "-n", namespace, `force-sync=${Date.now()}`, "--overwrite"]);
}

/** Objects the controller logged "skipping refresh" for: it reconciled them and, by design, refreshed nothing. */
function skippedRefreshes(controller: EsoController): Set<string> {
  const out = new Set<string>();
  for (const line of controller.log().split("\n")) {
    if (!line.includes('"skipping refresh"')) continue;
    const entry = JSON.parse(line) as { ExternalSecret?: { name: string; namespace: string }; pushsecret?: { name: string; namespace: string } };
    const o = entry.ExternalSecret ?? entry.pushsecret;
    if (o) out.add(`${o.namespace}/${o.name}`);
  }
  return out;
}

const refreshTimeOf = (o: KubeObject | undefined) => (o?.status as { refreshTime?: string } | undefined)?.refreshTime;

export interface EsoSuiteOptions {
  bringUp: BringUp;
  controllerBinary: string;
}

export function describeEsoSuite(title: string, opts: EsoSuiteOptions): void {
  const stacks = shippedClusterStacks();
  describe(title, () => {
    let platform: EsoPlatform | undefined;
    const runs = new Map<string, StackRun>();

    beforeAll(async () => {
      const t0 = Date.now();
      platform = await opts.bringUp();
      log(`platform up in ${seconds(t0)}: ${platform.stacks.map((s) => `${s.stack} on ${s.cluster.server}`).join(", ")}; Vault ${platform.vault.address}${platform.replica ? `, read replica ${platform.replica.address}` : ""}`);
      for (const d of platform.stacks) {
        const plan = loadStack({ root: ROOT, stack: d.stack, values: d.values }).plan;
        const run: StackRun = { d, cluster: d.cluster, plan: plan.cluster!, kvMount: plan.cluster!.vault.kvMount, controller: new EsoController(opts.controllerBinary, d.cluster) };
        const values = clusterValues(run.plan, await tlsMaterial(run.plan.config.name));
        await writeValues(platform.vault, run.kvMount, values);
        log(`${d.stack}: wrote ${values.length} KV secrets (${values.reduce((n, v) => n + Object.keys(v.data).length, 0)} fields)`);
        runs.set(d.stack, run);
      }
      const t1 = Date.now();
      await Promise.all([...runs.values()].map((r) => r.controller.start()));
      log(`controllers started in ${seconds(t1)}`);
      await Promise.all(
        [...runs.values()].map(async (run) => {
          const expected = expectedSecrets(run.plan, await liveNamespaces(run.cluster), await kvNow(platform!.vault, run));
          await waitSynced(run, expected);
          log(`${run.d.stack}: ${expected.length} ExternalSecrets SecretSynced ${seconds(t1)} after the controller started`);
        }),
      );
    }, 900_000);

    afterAll(async () => {
      await Promise.all([...runs.values()].map((r) => r.controller.stop()));
      await platform?.stop();
    });

    for (const stack of stacks) {
      const shipped = loadStack({ root: ROOT, stack }).plan.cluster!;
      describe(stack, () => {
        const run = () => {
          const r = runs.get(stack);
          if (!r) throw new Error(`${stack} was not brought up`);
          return r;
        };
        const vault = () => platform!.vault;
        const expectedNow = async (r: StackRun) => expectedSecrets(r.plan, await liveNamespaces(r.cluster), await kvNow(vault(), r));

        it("every SecretStore and the ClusterSecretStore are Ready (seed 000 check 3)", async () => {
          const r = run();
          const stores = [...(await listAll(r.cluster, "secretstores")).values(), ...(await listAll(r.cluster, "clustersecretstores")).values()];
          const declared = [
            naming.PLATFORM_STORE,
            ...r.plan.tenants.map((t) => `${t.namespace}/${naming.TENANT_STORE}`),
            ...(r.plan.pipelines ? [`${naming.PIPELINES_NAMESPACE}/${naming.PIPELINES_STORE}`] : []),
            ...(r.plan.push ? [`${r.plan.push.namespace}/${naming.PUSH_STORE}`] : []),
          ];
          expect(stores.map(keyOf).sort()).toEqual(declared.sort());
          expect(stores.filter((s) => !isReady(s)), conditionLines(stores)).toEqual([]);
        });

        it("every ExternalSecret the stack declares is Ready/SecretSynced, and there is no other", async () => {
          const r = run();
          const expected = await expectedNow(r);
          const all = await listAll(r.cluster, "externalsecrets");
          expect([...all.keys()].sort()).toEqual(expected.map(key).sort());
          for (const es of all.values()) expect(conditionOf(es), keyOf(es)).toMatchObject({ status: "True", reason: "SecretSynced" });
          log(`${stack}: ${all.size} ExternalSecrets SecretSynced`);
        });

        it("each ClusterExternalSecret is Ready and provisions exactly the namespaces its selector matches (seed 000 check 4, seed 004 properties 2, 4, 8)", async () => {
          const r = run();
          const namespaces = await liveNamespaces(r.cluster);
          const all = await listAll(r.cluster, "clusterexternalsecrets");
          expect([...all.keys()].sort()).toEqual(r.plan.catalogue.map((c) => c.entry.name).sort());
          const secrets = await listAll(r.cluster, "secrets");
          for (const { entry } of r.plan.catalogue) {
            const ces = all.get(entry.name)!;
            const want = namespaces.filter((ns) => selected(entry, ns)).map((ns) => ns.name).sort();
            expect(conditionOf(ces), entry.name).toMatchObject({ status: "True" });
            expect((ces.status as { provisionedNamespaces?: string[] }).provisionedNamespaces ?? [], entry.name).toEqual(want);
            // In none it does not select: no Secret of that name anywhere else, platform namespaces included.
            const holders = namespaces.filter((ns) => secrets.has(`${ns.name}/${entry.secretName}`)).map((ns) => ns.name).sort();
            expect(holders, `namespaces holding Secret ${entry.secretName}`).toEqual(want);
          }
        });

        it("every delivered Secret has its format's type, keys and labels, and its content byte for byte from the KV values", async () => {
          const r = run();
          const expected = await expectedNow(r);
          expect(secretDifferences(expected, await listAll(r.cluster, "secrets"))).toEqual([]);
          const formats = new Set(expected.map((e) => `${e.type}${e.labels["kargo.akuity.io/cred-type"] ? " (Kargo)" : ""}${e.labels["argocd.argoproj.io/secret-type"] ? " (Argo CD)" : ""}`));
          log(`${stack}: ${expected.length} Secrets identical to their expected bytes; formats ${[...formats].sort().join(", ")}`);
        });

        it("a namespace's generated secret is its own: every namespace a generated entry selects gets a different value", async () => {
          const r = run();
          const generated = r.plan.catalogue.filter((c) => c.entry.source.kind === "generated" && c.entry.source.via === "externalsecret");
          expect(generated.length, "generated entries on this stack").toBeGreaterThan(0);
          const secrets = await listAll(r.cluster, "secrets");
          for (const { entry } of generated) {
            const values = entrySecrets(entry, await liveNamespaces(r.cluster), () => ({})).map((e) => secretData(secrets.get(key(e))!).password!.toString());
            expect(values.length, entry.name).toBeGreaterThan(0);
            expect(new Set(values).size, entry.name).toBe(values.length);
          }
        });

        it("the default ServiceAccount of each tenant namespace lists every pull Secret delivered there (seed 000 check 2)", async () => {
          const r = run();
          const namespaces = new Map((await liveNamespaces(r.cluster)).map((ns) => [ns.name, ns]));
          const accounts = await listAll(r.cluster, "serviceaccounts");
          for (const t of r.plan.tenants) {
            const want = r.plan.catalogue.filter((c) => c.entry.format.type === "dockerconfigjson" && selected(c.entry, namespaces.get(t.namespace)!)).map((c) => c.entry.secretName);
            const got = ((accounts.get(`${t.namespace}/default`)?.imagePullSecrets as { name: string }[] | undefined) ?? []).map((s) => s.name);
            expect(got.sort(), t.namespace).toEqual([...new Set(want)].sort());
          }
        });

        it.skipIf(!shipped.push)("PushSecrets write the generated values to the primary only; the stores read them back through the read replica (seed 003)", async () => {
          const r = run();
          const push = r.plan.push!;
          const pushSecrets = await listAll(r.cluster, "pushsecrets");
          expect([...pushSecrets.keys()].sort()).toEqual(push.secrets.map((s) => `${push.namespace}/${s.entry}`).sort());
          expect([...pushSecrets.values()].filter((p) => !isReady(p)), conditionLines(pushSecrets.values())).toEqual([]);
          const stores = [...(await listAll(r.cluster, "secretstores")).values(), ...(await listAll(r.cluster, "clustersecretstores")).values()];
          const server = (s: KubeObject) => (s.spec as { provider: { vault: { server: string } } }).provider.vault.server;
          const primary = (r.d.values.vault as { address: string }).address;
          for (const s of stores) expect(server(s), keyOf(s)).toBe(keyOf(s) === `${push.namespace}/${naming.PUSH_STORE}` ? primary : r.plan.vault.server);
          for (const s of push.secrets) {
            const entry = r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry;
            const src = entry.source as { key: string; property: string };
            const stored = await readValue(vault(), r.kvMount, src.key);
            expect(stored?.data[src.property], `${src.key} on the primary`).toBeDefined();
            const meta = await vault().must("GET", `${r.kvMount}/metadata/${src.key}`);
            expect(meta.data.custom_metadata, src.key).toMatchObject({ "managed-by": "external-secrets" });
          }
          const replica = platform!.replica;
          if (replica && r.plan.vault.server === replica.address) {
            const pushed = push.secrets.map((s) => (r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry.source as { key: string }).key);
            const seen = replica.requests.filter((q) => pushed.some((k) => q.path.endsWith(`/${k}`)));
            // The fan-out read them through the replica; no write to them ever came that way.
            expect(seen.filter((q) => q.method === "GET" && q.status === 200).length).toBeGreaterThan(0);
            expect(seen.filter((q) => q.method !== "GET")).toEqual([]);
            log(`${stack}: read replica saw ${replica.requests.length} requests, ${seen.length} on the pushed keys, all reads; writes went to the primary`);
          }
        });

        // The clock, driven: ESO refreshes an ExternalSecret or PushSecret when status.refreshTime +
        // refreshInterval has passed. The test moves refreshTime back (status subresource) instead of
        // waiting, keeping the stack's own intervals (720h for a JWT signing key), and restarts the
        // controller: a fresh process lists and reconciles every object once.
        describe("refresh and rotation on the stack's own intervals", () => {
          let before: Map<string, KubeObject>;
          let esIntervals: Map<string, number>;
          let pushVersions: Map<string, number>;

          const pushKeys = (r: StackRun) => (r.plan.push?.secrets ?? []).map((s) => ({ s, src: r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry.source as { key: string; property: string; rotation: string } }));

          /** Ages every ExternalSecret and PushSecret to its interval plus `offsetMs`; an interval of 0 (on compromise) by ten years. */
          const ageAll = async (r: StackRun, offsetMs: number) => {
            const all = await listAll(r.cluster, "externalsecrets");
            esIntervals = new Map([...all].map(([k, es]) => [k, goDuration((es.spec as { refreshInterval: string }).refreshInterval)]));
            for (const [k, interval] of esIntervals) await ageRefresh(r.cluster, "externalsecret", k.split("/")[0]!, k.split("/")[1]!, interval + offsetMs);
            for (const p of (await listAll(r.cluster, "pushsecrets")).values()) {
              const interval = goDuration((p.spec as { refreshInterval: string }).refreshInterval);
              await ageRefresh(r.cluster, "pushsecret", p.metadata.namespace!, p.metadata.name, interval === 0 ? 10 * 365 * 86_400_000 : interval + offsetMs);
            }
          };

          it("nothing refreshes before its interval: with Vault values rotated and every object one minute short of its interval, a restarted controller changes no Secret and pushes nothing", async () => {
            const r = run();
            // The platform admin and the tenants rotate every credential they own in Vault.
            await writeValues(vault(), r.kvMount, clusterValues(r.plan, await tlsMaterial(r.plan.config.name)));
            before = await listAll(r.cluster, "secrets");
            pushVersions = new Map(await Promise.all(pushKeys(r).map(async ({ src }) => [src.key, (await readValue(vault(), r.kvMount, src.key))!.version] as [string, number])));
            await ageAll(r, -60_000);
            const aged = await listAll(r.cluster, "externalsecrets");
            const t = Date.now();
            await r.controller.restart();
            const objects = [...aged.keys(), ...(r.plan.push?.secrets ?? []).map((s) => `${r.plan.push!.namespace}/${s.entry}`)];
            await waitFor(`${stack}: every object reconciled without a refresh`, async () => (objects.every((o) => skippedRefreshes(r.controller).has(o)) ? true : undefined), () => `not yet skipped: ${objects.filter((o) => !skippedRefreshes(r.controller).has(o)).join(", ")}`);
            log(`${stack}: restarted controller reconciled ${objects.length} objects in ${seconds(t)}, refreshing none`);
            const after = await listAll(r.cluster, "secrets");
            for (const e of await expectedNow(r)) expect(secretData(after.get(key(e))!), `${key(e)} unchanged`).toEqual(secretData(before.get(key(e))!));
            const now = await listAll(r.cluster, "externalsecrets");
            for (const [k, es] of now) expect(refreshTimeOf(es), `${k} not refreshed`).toBe(refreshTimeOf(aged.get(k)));
            for (const { src } of pushKeys(r)) expect((await readValue(vault(), r.kvMount, src.key))!.version, `${src.key} not pushed again`).toBe(pushVersions.get(src.key));
          });

          it("each refreshes once its interval has passed: rotated credentials reach every format, generated values change, the database password is pushed anew; the on-compromise API key stays", async () => {
            const r = run();
            await ageAll(r, 60_000);
            const t = Date.now();
            await r.controller.restart();
            const started = new Date(t - 1000).toISOString();
            await waitFor(
              `${stack}: every ExternalSecret refreshed`,
              async () => {
                const all = await listAll(r.cluster, "externalsecrets");
                return [...all.values()].every((es) => (refreshTimeOf(es) ?? "") >= started.replace(/\.\d+Z$/, "Z") && isReady(es)) ? true : undefined;
              },
              async () => conditionLines((await listAll(r.cluster, "externalsecrets")).values()),
            );
            for (const { s, src } of pushKeys(r)) {
              const on = src.rotation === "api-key" ? 0 : 1;
              await waitFor(`${src.key} version +${on}`, async () => ((await readValue(vault(), r.kvMount, src.key))!.version === pushVersions.get(src.key)! + on ? true : undefined), () => `${src.key} still at the old version`);
              // The fanned copy follows within its own interval: its refresh may have run before the push.
              for (const ns of (await liveNamespaces(r.cluster)).filter((n) => selected(r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry, n))) await forceSync(r.cluster, "externalsecret", ns.name, s.entry);
            }
            const expected = await expectedNow(r);
            let diffs: string[] = [];
            await waitFor(`${stack}: every Secret holds the rotated values`, async () => ((diffs = secretDifferences(expected, await listAll(r.cluster, "secrets"))).length === 0 ? true : undefined), () => diffs.join("\n"), 60_000);
            const after = await listAll(r.cluster, "secrets");
            const changed = expected.filter((e) => JSON.stringify(after.get(key(e))?.data) !== JSON.stringify(before.get(key(e))?.data));
            const stayed = expected.filter((e) => !changed.includes(e)).map((e) => `${key(e)} (${e.what})`);
            // Only what nobody rotated may stay: the foundation's canaries and the on-compromise key.
            const apiKeys = pushKeys(r).filter(({ src }) => src.rotation === "api-key").map(({ s }) => s.entry);
            expect(stayed.sort()).toEqual(expected.filter((e) => e.name === naming.TENANT_CANARY || apiKeys.includes(e.name)).map((e) => `${key(e)} (${e.what})`).sort());
            log(`${stack}: after each interval, ${changed.length} Secrets rotated, ${stayed.length} unchanged by design (${seconds(t)})`);
          });

          it.skipIf(!shipped.push)("an API key rotates only on compromise (seed 003): a forced sync leaves it, deleting it in Vault and forcing a sync makes a new one", async () => {
            const r = run();
            const push = r.plan.push!;
            for (const { s, src } of pushKeys(r).filter(({ src }) => src.rotation === "api-key")) {
              const old = (await readValue(vault(), r.kvMount, src.key))!;
              const synced = refreshTimeOf(await getObject(r.cluster, "pushsecret", s.entry, push.namespace));
              await forceSync(r.cluster, "pushsecret", push.namespace, s.entry);
              await waitFor(`${s.entry} reconciled after force-sync`, async () => (refreshTimeOf(await getObject(r.cluster, "pushsecret", s.entry, push.namespace)) !== synced ? true : undefined), () => "no new refreshTime", 60_000);
              expect((await readValue(vault(), r.kvMount, src.key))!.version, "IfNotExists: not overwritten").toBe(old.version);
              await vault().must("DELETE", `${r.kvMount}/metadata/${src.key}`);
              await forceSync(r.cluster, "pushsecret", push.namespace, s.entry);
              const fresh = await waitFor(`${src.key} written again`, () => readValue(vault(), r.kvMount, src.key), () => "still absent", 60_000);
              expect(fresh.data[src.property]).not.toBe(old.data[src.property]);
              log(`${stack}: ${s.entry}: force-sync kept version ${old.version}; after deletion a new value was pushed`);
            }
          });

          it("a CI robot token rotated as seed 001 says (vault kv put, then force-sync) reaches its Secret", async () => {
            const r = run();
            const robot = r.plan.pipelines!.ciSecrets[0]!;
            const token = `ROTATED${Date.now()}`;
            await vault().must("POST", `${r.kvMount}/data/${robot.vaultKey}`, { data: { username: `${robot.team}+ci`, token } });
            await forceSync(r.cluster, "externalsecret", naming.PIPELINES_NAMESPACE, naming.ciSecret(robot.team));
            const want = (await expectedNow(r)).find((e) => e.namespace === naming.PIPELINES_NAMESPACE && e.name === naming.ciSecret(robot.team))!;
            let diffs: string[] = [];
            await waitFor(`${want.name} rotated`, async () => ((diffs = secretDifferences([want], await listAll(r.cluster, "secrets"))).length === 0 ? true : undefined), () => diffs.join("\n"), 60_000);
            // The seed's probe: `jq '.auths | keys'` on the decoded document.
            const doc = JSON.parse(secretData((await getObject(r.cluster, "secret", want.name, naming.PIPELINES_NAMESPACE))!)[".dockerconfigjson"]!.toString()) as { auths: object };
            expect(Object.keys(doc.auths)).toEqual([r.plan.config.ci.quayHost]);
          });
        });

        describe("failure modes of the seeds, for real", () => {
          it("a tenant store reads its own division's path and not another division's: the ExternalSecret reports the permission error (seed 000)", async () => {
            const r = run();
            const divisions = [...new Set(r.plan.tenants.map((t) => t.division))];
            expect(divisions.length, "divisions on this cluster").toBeGreaterThan(1);
            const mine = r.plan.tenants[0]!;
            const other = r.plan.tenants.find((t) => t.division !== mine.division)!;
            // What a tenant writes in its app overlay: an ExternalSecret through its vault-apps store.
            const tenantSecret = (name: string, from: string) => ({
              apiVersion: "external-secrets.io/v1",
              kind: "ExternalSecret",
              metadata: { name, namespace: mine.namespace },
              spec: { refreshInterval: "1h", secretStoreRef: { kind: "SecretStore", name: naming.TENANT_STORE }, target: { name }, dataFrom: [{ extract: { key: from } }] },
            });
            const applied = await r.cluster.apply([tenantSecret("app-db", tenantSecretKey(mine)), tenantSecret("borrowed-db", tenantSecretKey(other))], { fieldManager: "tenant" });
            expect(applied.code, applied.stderr).toBe(0);
            const own = await waitFor("app-db synced", async () => {
              const es = await getObject(r.cluster, "externalsecret", "app-db", mine.namespace);
              return isReady(es) ? es : undefined;
            }, async () => conditionLines([(await getObject(r.cluster, "externalsecret", "app-db", mine.namespace))!]));
            expect(conditionOf(own)?.reason).toBe("SecretSynced");
            const kv = (await readValue(vault(), r.kvMount, tenantSecretKey(mine)))!.data;
            const data = secretData((await getObject(r.cluster, "secret", "app-db", mine.namespace))!);
            expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString()]))).toEqual(kv);
            const refused = await waitFor("borrowed-db refused", async () => {
              const es = await getObject(r.cluster, "externalsecret", "borrowed-db", mine.namespace);
              return conditionOf(es)?.status === "False" ? es : undefined;
            }, async () => conditionLines([(await getObject(r.cluster, "externalsecret", "borrowed-db", mine.namespace))!]));
            expect(conditionOf(refused)).toMatchObject({ reason: "SecretSyncedError" });
            expect(conditionOf(refused)?.message).toMatch(/permission denied/);
            expect(await getObject(r.cluster, "secret", "borrowed-db", mine.namespace)).toBeUndefined();
            log(`${stack}: ${mine.namespace} reading ${tenantSecretKey(other)}: ${conditionOf(refused)?.message}`);
            await r.cluster.kubectl(["delete", "externalsecret", "app-db", "borrowed-db", "-n", mine.namespace]);
          });

          it("a tenant namespace that opts in by label gets the Secret in its format; when it loses the label it loses the Secret (seed 004 property 3)", async () => {
            const r = run();
            const namespaces = await liveNamespaces(r.cluster);
            const optIn = r.plan.catalogue.map((c) => c.entry).filter((e) => e.selection.kind === "opt-in" && !e.builtin);
            // Per opt-in entry, one tenant namespace that does not have it yet: it opts in, then out.
            const cases = optIn.flatMap((entry) => {
              const ns = namespaces.find((n) => n.labels[naming.TENANT_LABEL] === "true" && !selected(entry, n));
              return ns ? [{ entry, ns }] : [];
            });
            expect(cases.length, "opt-in entries some tenant namespace lacks").toBeGreaterThan(0);
            const label = (e: (typeof cases)[number]["entry"]) => (e.selection as { label: string }).label;
            for (const { entry, ns } of cases) await r.cluster.kubectl(["label", "namespace", ns.name, `${label(entry)}=true`]);
            const kv = await kvNow(vault(), r);
            const joined = cases.flatMap(({ entry, ns }) => entrySecrets(entry, [{ ...ns, labels: { ...ns.labels, [label(entry)]: "true" } }], kv));
            const secrets = await waitSynced(r, joined);
            expect(secretDifferences(joined, secrets)).toEqual([]);
            log(`${stack}: opted in ${joined.map((e) => `${e.namespace} to ${e.what} (${e.type})`).join(", ")}`);
            for (const { entry, ns } of cases) await r.cluster.kubectl(["label", "namespace", ns.name, `${label(entry)}-`]);
            await waitFor("opted-out Secrets removed", async () => {
              const now = await listAll(r.cluster, "secrets");
              return joined.every((e) => !now.has(key(e))) ? true : undefined;
            }, () => `still there: ${joined.map(key).join(", ")}`, 60_000);
            const es = await listAll(r.cluster, "externalsecrets");
            expect(joined.filter((e) => es.has(key(e)))).toEqual([]);
          });

          it("a namespace that loses apps.platform/tenant loses every fanned Secret and regains them when labelled again (seed 000 failure mode 1)", async () => {
            const r = run();
            const t = r.plan.tenants[0]!;
            const ns = (await liveNamespaces(r.cluster)).find((n) => n.name === t.namespace)!;
            const fanned = r.plan.catalogue.filter((c) => selected(c.entry, ns)).map((c) => c.entry.secretName);
            expect(fanned.length).toBeGreaterThan(0);
            await r.cluster.kubectl(["label", "namespace", t.namespace, `${naming.TENANT_LABEL}-`]);
            await waitFor(`${t.namespace} emptied`, async () => {
              const now = await listAll(r.cluster, "secrets");
              return fanned.every((s) => !now.has(`${t.namespace}/${s}`)) ? true : undefined;
            }, () => `still holds some of ${fanned.join(", ")}`, 60_000);
            await r.cluster.kubectl(["label", "namespace", t.namespace, `${naming.TENANT_LABEL}=${naming.TENANT_LABEL_VALUE}`]);
            const back = (await expectedNow(r)).filter((e) => e.namespace === t.namespace && fanned.includes(e.name));
            expect(back.length).toBe(fanned.length);
            expect(secretDifferences(back, await waitSynced(r, back))).toEqual([]);
            log(`${stack}: ${t.namespace} lost and regained ${fanned.join(", ")}`);
          });

          it("a wrong store name is reported on the ExternalSecret, not silently ignored", async () => {
            const r = run();
            const t = r.plan.tenants[0]!;
            const typo = `${naming.TENANT_STORE}-typo`;
            const es = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "wrong-store", namespace: t.namespace }, spec: { secretStoreRef: { kind: "SecretStore", name: typo }, target: { name: "wrong-store" }, data: [{ secretKey: "password", remoteRef: { key: tenantSecretKey(t), property: "password" } }] } };
            expect((await r.cluster.apply([es], { fieldManager: "tenant" })).code).toBe(0);
            const failed = await waitFor("wrong-store reported", async () => {
              const o = await getObject(r.cluster, "externalsecret", "wrong-store", t.namespace);
              return conditionOf(o)?.status === "False" ? o : undefined;
            }, async () => JSON.stringify((await getObject(r.cluster, "externalsecret", "wrong-store", t.namespace))?.status ?? {}), 60_000);
            expect(conditionOf(failed)?.message).toContain(typo);
            log(`${stack}: ExternalSecret naming store ${typo}: ${conditionOf(failed)?.reason} ${conditionOf(failed)?.message}`);
            await r.cluster.kubectl(["delete", "externalsecret", "wrong-store", "-n", t.namespace]);
          });

          it("a missing Vault role is reported on the ExternalSecret, and the canary recovers once the role is back (seed 000 failure mode 4)", async () => {
            const r = run();
            const t = r.plan.tenants[0]!;
            const rolePath = `auth/${r.plan.config.authPath}/role/${t.role}`;
            const role = (await vault().must("GET", rolePath)).data as Record<string, unknown>;
            await vault().must("DELETE", rolePath);
            try {
              await forceSync(r.cluster, "externalsecret", t.namespace, naming.TENANT_CANARY);
              const failed = await waitFor("canary reports the missing role", async () => {
                const o = await getObject(r.cluster, "externalsecret", naming.TENANT_CANARY, t.namespace);
                return conditionOf(o)?.status === "False" ? o : undefined;
              }, async () => conditionLines([(await getObject(r.cluster, "externalsecret", naming.TENANT_CANARY, t.namespace))!]), 60_000);
              expect(conditionOf(failed)?.reason).toBe("SecretSyncedError");
              log(`${stack}: canary in ${t.namespace} without role ${t.role}: ${conditionOf(failed)?.message}`);
              // ESO keeps the last good Secret: an outage of Vault or of a role does not delete what workloads mount.
              expect(await getObject(r.cluster, "secret", naming.TENANT_CANARY, t.namespace)).toBeDefined();
            } finally {
              await vault().must("POST", rolePath, role);
            }
            await forceSync(r.cluster, "externalsecret", t.namespace, naming.TENANT_CANARY);
            await waitFor("canary recovers", async () => (isReady(await getObject(r.cluster, "externalsecret", naming.TENANT_CANARY, t.namespace)) ? true : undefined), () => "still failing", 60_000);
          });

          it.skipIf(!shipped.egress)("the ESO egress policy admits every Vault connection the controller makes; what a control plane without a CNI cannot show is stated", async () => {
            const r = run();
            const egress = r.plan.egress!;
            const policy = (await getObject(r.cluster, "networkpolicy", naming.EGRESS_POLICY, egress.namespace))!;
            expect(policy, `${egress.namespace}/${naming.EGRESS_POLICY}`).toBeDefined();
            const spec = policy.spec as EgressPolicySpec;
            expect(spec.policyTypes).toEqual(["Egress"]);
            const admits = (c: { host: string; port: number }) => admitsTcp(spec, c.host, c.port);
            const vaults = [(r.d.values.vault as { address: string }).address, r.plan.vault.server].map((a) => new URL(a));
            const api = new URL(r.cluster.server);
            const conns = connectionsOf(r.controller.pid);
            const toVault = conns.filter((c) => vaults.some((v) => v.hostname === c.host && Number(v.port) === c.port));
            const toApi = conns.filter((c) => c.host === api.hostname && c.port === Number(api.port));
            expect(toApi.length, "the controller's connections to the API server").toBeGreaterThan(0);
            // The controller's Vault connections come and go with each login; one is open often enough to sample.
            const sampled = toVault.length ? toVault : await waitFor("a Vault connection of the controller", async () => {
              await forceSync(r.cluster, "externalsecret", r.plan.tenants[0]!.namespace, naming.TENANT_CANARY);
              const c = connectionsOf(r.controller.pid).filter((x) => vaults.some((v) => v.hostname === x.host && Number(v.port) === x.port));
              return c.length ? c : undefined;
            }, () => "none seen", 30_000, 100);
            for (const c of sampled) expect(admits(c), `${c.host}:${c.port} admitted by ${naming.EGRESS_POLICY}`).toBe(true);
            // DNS: both ports, UDP and TCP, to the DNS namespace only.
            const dns = (spec.egress ?? []).find((rule) => (rule.to ?? []).some((p) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === egress.dnsNamespace));
            expect((dns?.ports ?? []).map((p) => `${p.protocol}/${p.port}`).sort()).toEqual(egress.dnsPorts.flatMap((p) => [`TCP/${p}`, `UDP/${p}`]).sort());
            // The API server is admitted by this policy only when the stack configures eso.egress.apiServer; otherwise
            // the platform's own policies admit it, and an allow policy added to a default-deny namespace cannot take that away.
            expect(toApi.every(admits)).toBe(!!egress.apiServer);
            log(
              `${stack}: controller connections: Vault ${sampled.map((c) => `${c.host}:${c.port}`).join(", ")} (admitted by ${naming.EGRESS_POLICY}), ` +
                `API server ${toApi.map((c) => `${c.host}:${c.port}`).join(", ")} (${egress.apiServer ? "admitted by it" : "outside it: left to the platform's default-deny exceptions"}); no CNI here, so nothing was filtered`,
            );
          });
        });
      });
    }
  });
}
