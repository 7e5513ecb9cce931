// The seeds' failure modes, made to happen on the real controller.
import { expect, it } from "vitest";
import * as naming from "../../model/naming";
import { expectedNow, forceSync, itWhenDeclared, key, kvNow, liveNamespaces, log, refreshNow, secretDifferences, type StackRun, type StackTests, waitSynced } from "./context";
import { admitsTcp, type EgressPolicySpec } from "./egress";
import { entrySecrets, selected } from "./expected";
import { readValue, tenantSecretKey } from "./kv";
import { applyObjects, type Condition, conditionLines, conditionOf, connectionsOf, getObject, isReady, listAll, secretData, waitFor, warningsFor } from "./observe";

/**
 * Waits until the ExternalSecret is Ready=False and a Warning event on it matches `cause`: the
 * condition says that it failed ("could not get secret data from provider"), the event says why
 * (`oc describe externalsecret` shows both).
 */
async function reported(r: StackRun, namespace: string, name: string, cause: RegExp): Promise<{ condition: Condition; event: string }> {
  let state = "";
  return waitFor(
    `ExternalSecret ${namespace}/${name} reports ${cause}`,
    async () => {
      const condition = conditionOf(await getObject(r.cluster, "externalsecret", name, namespace));
      const events = await warningsFor(r.cluster, "ExternalSecret", namespace, name);
      state = `condition ${JSON.stringify(condition)}; events ${JSON.stringify(events)}`;
      // The line that names the cause: Vault's errors span several lines.
      const event = events.flatMap((e) => e.split("\n")).find((l) => cause.test(l));
      return condition?.status === "False" && event ? { condition, event: event.trim() } : undefined;
    },
    () => `${state}\ncontroller log:\n${r.controller.linesAbout(namespace, name)}`,
    60_000,
  );
}

/** An ExternalSecret as a tenant (or the platform team) writes it by hand: every field of one KV key, through a store. */
function handWritten(namespace: string, name: string, store: { kind: string; name: string }, key: string) {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace },
    spec: { refreshInterval: "1h", secretStoreRef: store, target: { name }, dataFrom: [{ extract: { key } }] },
  };
}

export function failureTests(t: StackTests): void {
  const { stack, shipped, run, vault } = t;
  it("a tenant store reads its own division's path and not another division's: the ExternalSecret reports the permission error (seed 000)", async () => {
    const r = run();
    const divisions = [...new Set(r.plan.tenants.map((t) => t.division))];
    expect(divisions.length, "divisions on this cluster").toBeGreaterThan(1);
    const mine = r.plan.tenants[0]!;
    const other = r.plan.tenants.find((t) => t.division !== mine.division)!;
    // What a tenant writes in its app overlay: an ExternalSecret through its vault-apps store.
    const tenantSecret = (name: string, from: string) => handWritten(mine.namespace, name, { kind: "SecretStore", name: naming.TENANT_STORE }, from);
    await applyObjects(r.cluster, [tenantSecret("app-db", tenantSecretKey(mine)), tenantSecret("borrowed-db", tenantSecretKey(other))], "tenant");
    const own = await waitFor("app-db synced", async () => {
      const es = await getObject(r.cluster, "externalsecret", "app-db", mine.namespace);
      return isReady(es) ? es : undefined;
    }, async () => conditionLines([(await getObject(r.cluster, "externalsecret", "app-db", mine.namespace))!]));
    expect(conditionOf(own)?.reason).toBe("SecretSynced");
    const kv = (await readValue(vault(), r.kvMount, tenantSecretKey(mine)))!.data;
    const data = secretData((await getObject(r.cluster, "secret", "app-db", mine.namespace))!);
    expect(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString()]))).toEqual(kv);
    const refused = await reported(r, mine.namespace, "borrowed-db", /permission denied/);
    expect(refused.condition.reason).toBe("SecretSyncedError");
    expect(await getObject(r.cluster, "secret", "borrowed-db", mine.namespace)).toBeUndefined();
    log(`${stack}: ${mine.namespace} reading ${tenantSecretKey(other)}: Ready=False ${refused.condition.reason}, event: ${refused.event}`);
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
    const back = (await expectedNow(vault(), r)).filter((e) => e.namespace === t.namespace && fanned.includes(e.name));
    expect(back.length).toBe(fanned.length);
    expect(secretDifferences(back, await waitSynced(r, back))).toEqual([]);
    log(`${stack}: ${t.namespace} lost and regained ${fanned.join(", ")}`);
  });

  it("a wrong store name is reported on the ExternalSecret, not silently ignored", async () => {
    const r = run();
    const t = r.plan.tenants[0]!;
    const typo = `${naming.TENANT_STORE}-typo`;
    const es = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "wrong-store", namespace: t.namespace }, spec: { secretStoreRef: { kind: "SecretStore", name: typo }, target: { name: "wrong-store" }, data: [{ secretKey: "password", remoteRef: { key: tenantSecretKey(t), property: "password" } }] } };
    await applyObjects(r.cluster, [es], "tenant");
    const failed = await reported(r, t.namespace, "wrong-store", new RegExp(typo));
    log(`${stack}: ExternalSecret naming store ${typo}: Ready=False ${failed.condition.reason}, event: ${failed.event}`);
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
      const failed = await reported(r, t.namespace, naming.TENANT_CANARY, /invalid role name/);
      expect(failed.condition.reason).toBe("SecretSyncedError");
      log(`${stack}: canary in ${t.namespace} without role ${t.role}: Ready=False ${failed.condition.reason}, event: ${failed.event}`);
      // ESO keeps the last good Secret: an outage of Vault or of a role does not delete what workloads mount.
      expect(await getObject(r.cluster, "secret", naming.TENANT_CANARY, t.namespace)).toBeDefined();
    } finally {
      await vault().must("POST", rolePath, role);
    }
    await forceSync(r.cluster, "externalsecret", t.namespace, naming.TENANT_CANARY);
    await waitFor("canary recovers", async () => (isReady(await getObject(r.cluster, "externalsecret", naming.TENANT_CANARY, t.namespace)) ? true : undefined), () => "still failing", 60_000);
  });

  it("the pipelines store reads only the CI robot paths: a tenant's runtime secret is refused (seed 001)", async () => {
    const r = run();
    const tenant = r.plan.tenants[0]!;
    await applyObjects(r.cluster, [handWritten(naming.PIPELINES_NAMESPACE, "not-a-robot", { kind: "SecretStore", name: naming.PIPELINES_STORE }, tenantSecretKey(tenant))], "platform");
    const refused = await reported(r, naming.PIPELINES_NAMESPACE, "not-a-robot", /permission denied/);
    log(`${stack}: ${naming.PIPELINES_STORE} reading ${tenantSecretKey(tenant)}: Ready=False ${refused.condition.reason}, event: ${refused.event}`);
    await r.cluster.kubectl(["delete", "externalsecret", "not-a-robot", "-n", naming.PIPELINES_NAMESPACE]);
  });

  it("a namespace whose app-eso ServiceAccount is missing has its ExternalSecrets report it; they recover once it is back (seed 000 failure mode 4)", async () => {
    const r = run();
    const t = r.plan.tenants.at(-1)!;
    const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: naming.TENANT_SERVICE_ACCOUNT, namespace: t.namespace } };
    await r.cluster.kubectl(["delete", "serviceaccount", naming.TENANT_SERVICE_ACCOUNT, "-n", t.namespace]);
    try {
      await forceSync(r.cluster, "externalsecret", t.namespace, naming.TENANT_CANARY);
      const failed = await reported(r, t.namespace, naming.TENANT_CANARY, new RegExp(`"${naming.TENANT_SERVICE_ACCOUNT}" not found`));
      log(`${stack}: canary in ${t.namespace} without ${naming.TENANT_SERVICE_ACCOUNT}: Ready=False ${failed.condition.reason}, event: ${failed.event}`);
    } finally {
      // The tenant template ships it again (seed 000's prevention).
      await applyObjects(r.cluster, [account], "tenant-template");
    }
    await forceSync(r.cluster, "externalsecret", t.namespace, naming.TENANT_CANARY);
    await waitFor("canary recovers", async () => (isReady(await getObject(r.cluster, "externalsecret", naming.TENANT_CANARY, t.namespace)) ? true : undefined), () => "still failing", 60_000);
  });

  it("an unpopulated registry path is reported on the ExternalSecret, the Secret already delivered stays, and it recovers once seeded (seed 000 failure mode 3)", async () => {
    const r = run();
    const entry = r.plan.catalogue.find((c) => c.entry.builtin)!.entry;
    const kvKey = (entry.source as { key: string }).key;
    const namespace = r.plan.tenants[0]!.namespace;
    const saved = (await readValue(vault(), r.kvMount, kvKey))!.data;
    await vault().must("DELETE", `${r.kvMount}/metadata/${kvKey}`);
    try {
      await refreshNow(r, namespace, entry.secretName);
      const failed = await reported(r, namespace, entry.secretName, /[Ss]ecret does not exist/);
      // ESO keeps the last good Secret (deletionPolicy Retain): pods keep pulling while Vault is being fixed.
      expect(await getObject(r.cluster, "secret", entry.secretName, namespace)).toBeDefined();
      // The seed expects the ClusterExternalSecret to turn Ready=False; in ESO v2.9 its Ready only tracks provisioning.
      const ces = conditionOf(await getObject(r.cluster, "clusterexternalsecret", entry.name));
      log(`${stack}: ${namespace}/${entry.secretName} with ${kvKey} unpopulated: Ready=False ${failed.condition.reason}, event: ${failed.event}; ClusterExternalSecret ${entry.name} Ready=${ces?.status}`);
      expect(ces?.status).toBe("True");
    } finally {
      await vault().must("POST", `${r.kvMount}/data/${kvKey}`, { data: saved });
    }
    await refreshNow(r, namespace, entry.secretName);
    await waitFor(`${entry.secretName} recovers`, async () => (isReady(await getObject(r.cluster, "externalsecret", entry.secretName, namespace)) ? true : undefined), () => "still failing", 60_000);
  });

  itWhenDeclared(shipped.egress, "the ESO egress policy admits every Vault connection the controller makes; what a control plane without a CNI cannot show is stated", async () => {
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
}
