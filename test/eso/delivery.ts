// Delivery: every store, ExternalSecret, ClusterExternalSecret and PushSecret a stack declares is
// Ready, every Secret is where its selector puts it and nowhere else, byte for byte.
import { expect, it } from "vitest";
import * as naming from "../../model/naming";
import type { KubeObject } from "../k8s/cluster";
import { expectedNow, itWhenDeclared, key, liveNamespaces, log, secretDifferences, type StackTests } from "./context";
import { entrySecrets, selected } from "./expected";
import { readValue } from "./kv";
import { conditionLines, conditionOf, getObject, isReady, keyOf, listAll, secretData } from "./observe";

export function deliveryTests(t: StackTests): void {
  const { stack, shipped, run, vault } = t;
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
    const expected = await expectedNow(vault(), r);
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
    const expected = await expectedNow(vault(), r);
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
      // Entries the program does not make belong to other managers (OpenShift adds its own dockercfg) and stay.
      const ours = new Set(r.plan.catalogue.filter((c) => c.entry.format.type === "dockerconfigjson").map((c) => c.entry.secretName));
      const got = ((accounts.get(`${t.namespace}/default`)?.imagePullSecrets as { name: string }[] | undefined) ?? []).map((s) => s.name).filter((n) => ours.has(n));
      expect(got.sort(), t.namespace).toEqual([...new Set(want)].sort());
    }
  });

  it("each CI robot passes seed 001's four checks: Vault holds username and token, the ExternalSecret is Ready, the Secret is a dockerconfigjson for the Quay host only", async () => {
    const r = run();
    const robots = r.plan.pipelines?.ciSecrets ?? [];
    expect(robots.length, "CI robots on this cluster").toBeGreaterThan(0);
    for (const robot of robots) {
      const name = naming.ciSecret(robot.team);
      expect(Object.keys((await readValue(vault(), r.kvMount, robot.vaultKey))!.data).sort(), robot.vaultKey).toEqual(["token", "username"]);
      expect(conditionOf(await getObject(r.cluster, "externalsecret", name, naming.PIPELINES_NAMESPACE)), name).toMatchObject({ status: "True" });
      const secret = (await getObject(r.cluster, "secret", name, naming.PIPELINES_NAMESPACE))!;
      expect(secret.type, name).toBe("kubernetes.io/dockerconfigjson");
      const doc = JSON.parse(secretData(secret)[".dockerconfigjson"]!.toString()) as { auths: object };
      expect(Object.keys(doc.auths), name).toEqual([r.plan.config.ci.quayHost]);
    }
  });

  itWhenDeclared(shipped.push, "PushSecrets write the generated values to the primary only; the stores read them back through the read replica (seed 003)", async () => {
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
    const replica = t.replica();
    if (replica && r.plan.vault.server === replica.address) {
      const pushed = push.secrets.map((s) => (r.plan.catalogue.find((c) => c.entry.name === s.entry)!.entry.source as { key: string }).key);
      const seen = replica.requests.filter((q) => pushed.some((k) => q.path.endsWith(`/${k}`)));
      // The fan-out read them through the replica; no write to them ever came that way.
      expect(seen.filter((q) => q.method === "GET" && q.status === 200).length).toBeGreaterThan(0);
      expect(seen.filter((q) => q.method !== "GET")).toEqual([]);
      log(`${stack}: read replica saw ${replica.requests.length} requests, ${seen.length} on the pushed keys, all reads; writes went to the primary`);
    }
  });
}
