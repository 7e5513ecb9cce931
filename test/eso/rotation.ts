// Refresh and rotation on the stacks' own intervals.
import { expect, it } from "vitest";
import * as naming from "../../model/naming";
import { type KubeObject } from "../k8s/cluster";
import { ageRefresh, expectedNow, forceSync, goDuration, key, liveNamespaces, log, refreshTimeOf, seconds, secretDifferences, skippedRefreshes, type StackRun, type StackTests } from "./context";
import { selected } from "./expected";
import { clusterValues, readValue, tlsMaterial, writeValues } from "./kv";
import { conditionLines, getObject, isReady, listAll, secretData, waitFor } from "./observe";
export function rotationTests(t: StackTests): void {
  const { stack, shipped, run, vault } = t;
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
    for (const e of await expectedNow(vault(), r)) expect(secretData(after.get(key(e))!), `${key(e)} unchanged`).toEqual(secretData(before.get(key(e))!));
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
    const expected = await expectedNow(vault(), r);
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
    const want = (await expectedNow(vault(), r)).find((e) => e.namespace === naming.PIPELINES_NAMESPACE && e.name === naming.ciSecret(robot.team))!;
    let diffs: string[] = [];
    await waitFor(`${want.name} rotated`, async () => ((diffs = secretDifferences([want], await listAll(r.cluster, "secrets"))).length === 0 ? true : undefined), () => diffs.join("\n"), 60_000);
    // The seed's probe: `jq '.auths | keys'` on the decoded document.
    const doc = JSON.parse(secretData((await getObject(r.cluster, "secret", want.name, naming.PIPELINES_NAMESPACE))!)[".dockerconfigjson"]!.toString()) as { auths: object };
    expect(Object.keys(doc.auths)).toEqual([r.plan.config.ci.quayHost]);
  });
}
