// Refresh and rotation at the cadences the declarations ask for (seed 003's rotation table, the
// stack files' refresh intervals), with the controller's clock driven rather than waited for: each
// object's status.refreshTime is moved back by its declared interval, less or more one minute, and
// the controller is restarted, which reconciles every object once.
import { expect, it } from "vitest";
import * as naming from "../../model/naming";
import type { KubeObject } from "../k8s/cluster";
import { ageRefresh, expectedNow, forceSync, itWhenDeclared, refreshNow, TEN_YEARS, key, liveNamespaces, log, refreshTimeOf, seconds, secretDifferences, skippedRefreshes, type StackRun, type StackTests } from "./context";
import { declaredRefreshes, goDuration, selected, type DeclaredRefresh } from "./expected";
import { clusterValues, readValue, tlsMaterial, writeValues } from "./kv";
import { conditionLines, getObject, isReady, listAll, secretData, waitFor } from "./observe";

export function rotationTests(t: StackTests): void {
  const { stack, shipped, run, vault } = t;
  let declared: DeclaredRefresh[];
  let before: Map<string, KubeObject>;
  let pushVersions: Map<string, number>;

  const pushed = (r: StackRun) =>
    (r.plan.push?.secrets ?? []).map((s) => {
      const src = r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry.source as { key: string; property: string };
      return { entry: s.entry, key: src.key, property: src.property, intervalMs: declared.find((d) => d.resource === "pushsecret" && d.name === s.entry)!.intervalMs };
    });
  const version = async (r: StackRun, kvKey: string) => (await readValue(vault(), r.kvMount, kvKey))!.version;

  /** Moves every object's last refresh back by its declared interval plus `offsetMs` (never: ten years). */
  const ageAll = async (r: StackRun, offsetMs: number) => {
    for (const d of declared) await ageRefresh(r.cluster, d.resource, d.namespace, d.name, d.intervalMs === 0 ? TEN_YEARS : d.intervalMs + offsetMs);
  };

  it("every ExternalSecret and PushSecret carries the cadence its declaration asks for (seed 003's rotations, the stack's intervals)", async () => {
    const r = run();
    declared = declaredRefreshes(r.plan, await liveNamespaces(r.cluster));
    const live = new Map([...(await listAll(r.cluster, "externalsecrets")), ...(await listAll(r.cluster, "pushsecrets"))]);
    expect([...live.keys()].sort()).toEqual(declared.map(key).sort());
    const interval = (o: KubeObject) => goDuration((o.spec as { refreshInterval: string }).refreshInterval);
    expect(declared.filter((d) => interval(live.get(key(d))!) !== d.intervalMs).map((d) => `${d.resource} ${key(d)}: ${(live.get(key(d))!.spec as { refreshInterval: string }).refreshInterval}, declared ${d.intervalMs / 1000} s`)).toEqual([]);
  });

  it("nothing refreshes early: with every credential rotated in Vault and every object one minute short of its cadence, a restarted controller changes no Secret and pushes nothing", async () => {
    const r = run();
    // The platform admin and the tenants rotate every credential they own in Vault.
    await writeValues(vault(), r.kvMount, clusterValues(r.plan, await tlsMaterial(r.plan.config.name)));
    before = await listAll(r.cluster, "secrets");
    pushVersions = new Map(await Promise.all(pushed(r).map(async (p) => [p.key, await version(r, p.key)] as [string, number])));
    await ageAll(r, -60_000);
    const aged = await listAll(r.cluster, "externalsecrets");
    const started = Date.now();
    await r.controller.restart();
    const objects = declared.map(key);
    await waitFor(
      `${stack}: every object reconciled without a refresh`,
      async () => (objects.every((o) => skippedRefreshes(r.controller).has(o)) ? true : undefined),
      () => `not yet reconciled-and-skipped: ${objects.filter((o) => !skippedRefreshes(r.controller).has(o)).join(", ")}`,
    );
    log(`${stack}: restarted controller reconciled ${objects.length} objects in ${seconds(started)}, refreshing none`);
    const after = await listAll(r.cluster, "secrets");
    for (const e of await expectedNow(vault(), r)) expect(secretData(after.get(key(e))!), `${key(e)} unchanged`).toEqual(secretData(before.get(key(e))!));
    for (const [k, es] of await listAll(r.cluster, "externalsecrets")) expect(refreshTimeOf(es), `${k} not refreshed`).toBe(refreshTimeOf(aged.get(k)));
    for (const p of pushed(r)) expect(await version(r, p.key), `${p.key} not pushed again`).toBe(pushVersions.get(p.key));
  });

  it("each refreshes once its cadence has passed: rotated credentials reach every format, generated values change, the database password is pushed anew; the on-compromise API key stays", async () => {
    const r = run();
    await ageAll(r, 60_000);
    const started = Date.now();
    const since = new Date(started - 1000).toISOString().replace(/\.\d+Z$/, "Z");
    await r.controller.restart();
    await waitFor(
      `${stack}: every ExternalSecret refreshed`,
      async () => ([...(await listAll(r.cluster, "externalsecrets")).values()].every((es) => (refreshTimeOf(es) ?? "") >= since && isReady(es)) ? true : undefined),
      async () => conditionLines((await listAll(r.cluster, "externalsecrets")).values()),
    );
    for (const p of pushed(r)) {
      const bump = p.intervalMs === 0 ? 0 : 1;
      await waitFor(`${p.key} at version +${bump}`, async () => ((await version(r, p.key)) === pushVersions.get(p.key)! + bump ? true : undefined), async () => `${p.key} at version ${await version(r, p.key)}`);
      // The fanned copy follows within its own interval (1h): its refresh may have run before the push landed.
      const entry = r.plan.catalogue.find((c) => c.entry.name === p.entry)!.entry;
      for (const ns of (await liveNamespaces(r.cluster)).filter((n) => selected(entry, n))) await refreshNow(r, ns.name, entry.secretName);
    }
    const expected = await expectedNow(vault(), r);
    let diffs: string[] = [];
    await waitFor(`${stack}: every Secret holds the rotated values`, async () => ((diffs = secretDifferences(expected, await listAll(r.cluster, "secrets"))).length === 0 ? true : undefined), () => diffs.join("\n"), 60_000);
    const after = await listAll(r.cluster, "secrets");
    const label = (e: { namespace: string; name: string; what: string }) => `${key(e)} (${e.what})`;
    const stayed = expected.filter((e) => JSON.stringify(after.get(key(e))?.data) === JSON.stringify(before.get(key(e))?.data)).map(label);
    // Only what nobody rotated may stay: the foundation's canaries and the on-compromise key.
    const never = pushed(r).filter((p) => p.intervalMs === 0).map((p) => p.entry);
    expect(stayed.sort()).toEqual(expected.filter((e) => e.name === naming.TENANT_CANARY || never.includes(e.name)).map(label).sort());
    log(`${stack}: past each cadence, ${expected.length - stayed.length} Secrets rotated, ${stayed.length} unchanged by design (${seconds(started)})`);
  });

  itWhenDeclared(shipped.push, "an API key rotates only on compromise (seed 003): a forced sync leaves it, deleting it in Vault and forcing a sync pushes a new one", async () => {
    const r = run();
    const namespace = r.plan.push!.namespace;
    const onCompromise = pushed(r).filter((p) => p.intervalMs === 0);
    expect(onCompromise.length).toBeGreaterThan(0);
    for (const p of onCompromise) {
      const old = (await readValue(vault(), r.kvMount, p.key))!;
      const synced = refreshTimeOf(await getObject(r.cluster, "pushsecret", p.entry, namespace));
      await forceSync(r.cluster, "pushsecret", namespace, p.entry);
      await waitFor(`${p.entry} reconciled after force-sync`, async () => (refreshTimeOf(await getObject(r.cluster, "pushsecret", p.entry, namespace)) !== synced ? true : undefined), () => "no new refreshTime", 60_000);
      expect(await version(r, p.key), "IfNotExists: not overwritten").toBe(old.version);
      await vault().must("DELETE", `${r.kvMount}/metadata/${p.key}`);
      await forceSync(r.cluster, "pushsecret", namespace, p.entry);
      const fresh = await waitFor(`${p.key} written again`, () => readValue(vault(), r.kvMount, p.key), () => "still absent", 60_000);
      expect(fresh.data[p.property]).not.toBe(old.data[p.property]);
      log(`${stack}: ${p.entry}: force-sync kept version ${old.version}; deleted in Vault and forced, a new value was pushed`);
    }
  });

  it("a CI robot token rotated as seed 001 says (vault kv put, then force-sync) reaches its Secret", async () => {
    const r = run();
    const robot = r.plan.pipelines!.ciSecrets[0]!;
    await vault().must("POST", `${r.kvMount}/data/${robot.vaultKey}`, { data: { username: `${robot.team}+ci`, token: `ROTATED${Date.now()}` } });
    await forceSync(r.cluster, "externalsecret", naming.PIPELINES_NAMESPACE, naming.ciSecret(robot.team));
    const want = (await expectedNow(vault(), r)).find((e) => e.namespace === naming.PIPELINES_NAMESPACE && e.name === naming.ciSecret(robot.team))!;
    let diffs: string[] = [];
    await waitFor(`${want.name} rotated`, async () => ((diffs = secretDifferences([want], await listAll(r.cluster, "secrets"))).length === 0 ? true : undefined), () => diffs.join("\n"), 60_000);
    // The seed's probe: `jq '.auths | keys'` on the decoded document.
    const doc = JSON.parse(secretData((await getObject(r.cluster, "secret", want.name, naming.PIPELINES_NAMESPACE))!)[".dockerconfigjson"]!.toString()) as { auths: object };
    expect(Object.keys(doc.auths)).toEqual([r.plan.config.ci.quayHost]);
  });
}
