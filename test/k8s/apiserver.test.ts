// The Kubernetes side of every shipped stack on a real kube-apiserver (issue 14, stage 1): what
// the offline preview renders is applied with server-side apply and strict field validation,
// the token controller fills the reviewer Secret, and the `default` ServiceAccount's pull
// secrets meet another field manager the way they do on OpenShift.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, runPreview } from "../helpers";
import { SERVER_SUITES_SKIPPED } from "../integration/server";
import { findBinaries, KUBE_CACHE, KUBE_VERSION, KubeCluster, type KubeObject, type ManagedFieldsEntry } from "./cluster";
import { applyManifests, ESO_CRDS, installCrds, loadManifests, missingCrds, objectKey, type StackApplyReport } from "./manifests";
import { loadStack } from "../../model/load";
import { pullSecretsToApply } from "../../model/pullSecrets";
import { runOffline } from "../../preview/mock";
import { plain } from "../../preview/record";

/** Namespaces the manifests use but the platform, not this program, creates (ESO's, Pipelines', DNS). */
const PLATFORM_NAMESPACES = ["external-secrets", "openshift-pipelines", "openshift-dns"];
const REVIEWER = { namespace: "external-secrets", serviceAccount: "eso-vault-auth", secret: "eso-vault-auth-token" };
/** What openshift-controller-manager puts on every ServiceAccount before anyone else does. */
const OCM = { manager: "openshift-controller-manager", entry: "default-dockercfg-abcde" };

function skipReasons(): string {
  const { missing } = findBinaries();
  return [...(missing.length ? [`no ${missing.join(", ")}. Build them (Go module proxy, ~10+ min cold) with: bash scripts/kube-build.sh`] : []), ...missingCrds()].join("; ");
}
const skipped = SERVER_SUITES_SKIPPED ?? skipReasons();
if (skipped) console.log(`k8s: skipped, ${skipped}`);

const stackNames = readdirSync(join(ROOT, "stacks"))
  .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
  .filter((s): s is string => s !== undefined)
  .sort();
const hasCluster = (stack: string) => {
  const doc = parse(readFileSync(join(ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return doc.config?.["platform-secrets:cluster"] !== undefined;
};
const clusterStacks = stackNames.filter(hasCluster);

/** Pulumi names each Patch resource's field manager `pulumi-kubernetes-` plus 8 random hex digits. */
const pulumiFieldManager = () => `pulumi-kubernetes-${randomBytes(4).toString("hex")}`;

const imagePullSecrets = (sa: KubeObject) => ((sa.imagePullSecrets as { name: string }[] | undefined) ?? []).map((s) => s.name);
const ownersOf = (sa: KubeObject, field: string) =>
  (sa.metadata.managedFields ?? []).filter((m: ManagedFieldsEntry) => m.fieldsV1 && field in m.fieldsV1).map((m) => `${m.manager} (${m.operation})`);

describe.skipIf(!!skipped)(`Kubernetes side on a real kube-apiserver ${KUBE_VERSION}`, () => {
  let out = "";

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "platform-secrets-k8s-render-"));
    const r = runPreview(["--all", "--out", out]);
    if (r.code !== 0) throw new Error(`npm run preview -- --all exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    console.log(`k8s: binaries from ${KUBE_CACHE}; rendered ${stackNames.join(", ")} with the offline preview`);
  });

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("renders Kubernetes objects for exactly the stacks with a cluster", () => {
    const withObjects = stackNames.filter((s) => loadManifests(join(out, s, "kubernetes")).length > 0);
    expect(withObjects).toEqual(clusterStacks);
    expect(clusterStacks.length).toBeGreaterThan(0);
  });

  describe.each(clusterStacks)("stack %s", (stack) => {
    let cluster: KubeCluster;
    let report: StackApplyReport;
    const dir = () => join(out, stack, "kubernetes");

    beforeAll(async () => {
      cluster = await KubeCluster.start();
      console.log(`k8s: ${stack}: etcd, kube-apiserver and kube-controller-manager ready in ${(cluster.startupMs / 1000).toFixed(1)} s`);
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    it("installs ESO v2.9.0's CRDs and they become Established", async () => {
      const { names, warnings } = await installCrds(cluster, ESO_CRDS);
      const crds = await cluster.getJson<{ items: { metadata: { name: string }; spec: { versions: { name: string; served: boolean }[] } }[] }>(["crd"]);
      for (const name of ["externalsecrets", "secretstores", "clustersecretstores", "clusterexternalsecrets"].map((n) => `${n}.external-secrets.io`)) {
        const crd = crds.items.find((c) => c.metadata.name === name);
        expect(crd?.spec.versions.filter((v) => v.served).map((v) => v.name), name).toContain("v1");
      }
      console.log(`k8s: ${stack}: ${names.length} ESO CRDs Established, ${warnings.length} warnings`);
    });

    it("accepts every rendered object with server-side apply and strict validation, dry run first: no warning, no field lost", async () => {
      const manifests = loadManifests(dir());
      const created = new Set(manifests.filter((m) => m.object.kind === "Namespace").map((m) => m.object.metadata.name));
      const needed = [...new Set(manifests.map((m) => m.object.metadata.namespace).filter((n): n is string => !!n && !created.has(n)))].sort();
      // Fails when the program starts relying on a namespace nobody here creates.
      expect(PLATFORM_NAMESPACES).toEqual(expect.arrayContaining(needed));
      for (const ns of PLATFORM_NAMESPACES) await cluster.kubectl(["create", "namespace", ns]);

      report = await applyManifests(cluster, dir(), { fieldManager: `pulumi-kubernetes-${stack}` });
      const kinds = new Map<string, number>();
      for (const o of report.stored.values()) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      console.log(
        `k8s: ${stack}: ${report.applied} of ${manifests.length} objects applied (dry run, then for real), ${report.warnings.length} warnings, ${report.lost.length} fields lost; ` +
          [...kinds].map(([k, n]) => `${n} ${k}`).join(", "),
      );
      if (report.emptied.length) console.log(`k8s: ${stack}: empty values the server omits (same meaning): ${report.emptied.join("; ")}`);
      expect(report.failures).toEqual([]);
      expect(report.warnings).toEqual([]);
      expect(report.lost).toEqual([]);
      expect(report.applied).toBe(manifests.length);
      expect(new Set(report.stored.keys())).toEqual(new Set(manifests.map((m) => objectKey(m.object))));
    });

    it(`the token controller fills ${REVIEWER.secret} with token and ca.crt within 30 s`, async () => {
      const data = await cluster.tokenSecretData(REVIEWER.namespace, REVIEWER.secret);
      expect(Object.keys(data).sort()).toEqual(["ca.crt", "namespace", "token"]);
      expect(Buffer.from(data["ca.crt"]!, "base64").toString()).toBe(cluster.caPem);
      const jwt = Buffer.from(data.token!, "base64").toString();
      const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
      expect(claims.sub).toBe(`system:serviceaccount:${REVIEWER.namespace}:${REVIEWER.serviceAccount}`);
    });

    it("the reviewer token reviews a tenant's app-eso token for audience vault (what Vault's kubernetes auth does)", async () => {
      const s = await cluster.getJson(["secret", REVIEWER.secret, "-n", REVIEWER.namespace]);
      const reviewerJwt = Buffer.from((s.data as Record<string, string>).token!, "base64").toString();
      const tenant = loadManifests(dir()).find((m) => m.object.kind === "ServiceAccount" && m.object.metadata.name === "app-eso")!.object.metadata.namespace!;
      const appToken = (await cluster.kubectl(["create", "token", "app-eso", "-n", tenant, "--audience=vault"])).stdout.trim();
      const asReviewer = cluster.writeKubeconfig(`reviewer-${stack}.kubeconfig`, { token: reviewerJwt });
      const review = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: appToken, audiences: ["vault"] } };
      // --validate=false: kubectl's client-side check lists CRDs, which the reviewer may not.
      const r = await cluster.kubectl(["create", "--validate=false", "-o", "json", "-f", "-"], { input: JSON.stringify(review), kubeconfig: asReviewer });
      const status = (JSON.parse(r.stdout) as { status: { authenticated?: boolean; user?: { username?: string }; audiences?: string[] } }).status;
      expect(status.authenticated).toBe(true);
      expect(status.user?.username).toBe(`system:serviceaccount:${tenant}:app-eso`);
      expect(status.audiences).toEqual(["vault"]);
    });

    it("a second apply of the whole stack changes nothing but the egress NetworkPolicy (resourceVersions)", async () => {
      const all = loadManifests(dir()).map((m) => m.object);
      const versions = async () => {
        const list = JSON.parse((await cluster.kubectl(["get", "-o", "json", "-f", "-"], { input: all.map((o) => JSON.stringify(o)).join("\n---\n") })).stdout) as { items: KubeObject[] };
        return new Map(list.items.map((o) => [objectKey(o), o.metadata.resourceVersion]));
      };
      const before = await versions();
      const again = await applyManifests(cluster, dir(), { fieldManager: `pulumi-kubernetes-${stack}` });
      expect(again.failures).toEqual([]);
      expect(again.warnings).toEqual([]);
      const after = await versions();
      const rewritten = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
      // Observed: the server rewrites the egress NetworkPolicy on every apply (new
      // resourceVersion, same content); it is also the one object whose sent
      // `podSelector.matchLabels: {}` the server does not store. Everything else converges.
      expect(rewritten).toEqual(["NetworkPolicy/external-secrets/eso-allow-egress-to-vault"]);
    });
  });

  describe("`default` ServiceAccount imagePullSecrets when openshift-controller-manager got there first", () => {
    const stack = "spoke-dc-v6";
    let cluster: KubeCluster;

    beforeAll(async () => {
      cluster = await KubeCluster.start();
    });

    afterAll(async () => {
      await cluster?.stop();
    });

    /** Waits for the serviceaccount controller to make `default` in a new namespace. */
    const defaultCreated = async (ns: string) => {
      const deadline = Date.now() + 30_000;
      while ((await cluster.kubectl(["get", "serviceaccount", "default", "-n", ns], { allowFailure: true })).code !== 0) {
        if (Date.now() > deadline) throw new Error("the serviceaccount controller never created default");
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    /** openshift-controller-manager writes its dockercfg Secret into the list with an update, not an apply. */
    const ocmWrites = (ns: string, list: string[]) =>
      cluster.kubectl(["patch", "serviceaccount", "default", "-n", ns, "--type=merge", `--field-manager=${OCM.manager}`, "-p", JSON.stringify({ imagePullSecrets: list.map((name) => ({ name })) })]);

    it("the program's ServiceAccountPatch conflicts; patchForce drops the other entry; a second apply converges; the controller's next write makes it conflict again", async () => {
      const manifests = loadManifests(join(out, stack, "kubernetes"));
      const patch = manifests.find((m) => m.patch && m.object.kind === "ServiceAccount" && m.object.metadata.name === "default")!.object;
      const ns = patch.metadata.namespace!;
      const nsObject = manifests.find((m) => m.object.kind === "Namespace" && m.object.metadata.name === ns)!.object;
      const ours = imagePullSecrets(patch);
      expect(ours.length).toBeGreaterThan(0);
      const pulumi = pulumiFieldManager();
      const sa = () => cluster.getJson(["serviceaccount", "default", "-n", ns, "--show-managed-fields"]);

      expect((await cluster.apply([nsObject], { fieldManager: `pulumi-kubernetes-${stack}` })).code).toBe(0);
      await defaultCreated(ns);
      await ocmWrites(ns, [OCM.entry]);
      // No managedFields at all, by design: the controller-made ServiceAccount has no tracked field,
      // and an update to an object without managedFields is not recorded (apimachinery's
      // skipNonAppliedManager); the first apply then sees every existing field as "before-first-apply".
      expect((await sa()).metadata.managedFields ?? []).toEqual([]);
      console.log(`k8s: imagePullSecrets, owners after ${OCM.manager}'s update: [${ownersOf(await sa(), "f:imagePullSecrets").join(", ")}]`);

      // 1. As `pulumi up` applies a Patch resource by default: no force.
      const first = await cluster.apply([patch], { fieldManager: pulumi });
      const conflict = first.stderr.trim().split("\n")[0]!;
      console.log(`k8s: imagePullSecrets, Pulumi's default (no force): kubectl exit ${first.code}: ${conflict}`);
      expect(first.code).not.toBe(0);
      expect(conflict).toMatch(/^error: Apply failed with 1 conflict: conflict with ".+" using v1: \.imagePullSecrets$/);
      expect(imagePullSecrets(await sa())).toEqual([OCM.entry]);

      // 2. With the pulumi.com/patchForce annotation: the atomic list is replaced.
      const forced = await cluster.apply([patch], { fieldManager: pulumi, force: true });
      expect(forced.code).toBe(0);
      const afterForce = await sa();
      console.log(`k8s: imagePullSecrets, patchForce: [${imagePullSecrets(afterForce).join(", ")}], owners ${ownersOf(afterForce, "f:imagePullSecrets").join(", ")}`);
      expect(imagePullSecrets(afterForce)).toEqual(ours);
      expect(imagePullSecrets(afterForce)).not.toContain(OCM.entry);

      // 3. The next `pulumi up` (same manager, no force) converges: nothing written.
      const second = await cluster.apply([patch], { fieldManager: pulumi });
      expect(second.code).toBe(0);
      expect((await sa()).metadata.resourceVersion).toBe(afterForce.metadata.resourceVersion);
      console.log(`k8s: imagePullSecrets, second apply: no change (resourceVersion ${afterForce.metadata.resourceVersion})`);

      // 4. openshift-controller-manager's next sync appends its Secret again and takes the list:
      //    the following non-forced apply conflicts again, a forced one drops the entry again.
      await ocmWrites(ns, [...ours, OCM.entry]);
      const ocmAgain = await sa();
      expect(imagePullSecrets(ocmAgain)).toEqual([...ours, OCM.entry]);
      const third = await cluster.apply([patch], { fieldManager: pulumi });
      console.log(`k8s: imagePullSecrets, after the controller re-adds its entry: kubectl exit ${third.code}: ${third.stderr.trim().split("\n")[0]}`);
      expect(third.code).not.toBe(0);
      expect(third.stderr).toContain("conflict with");
      expect(imagePullSecrets(await sa())).toEqual([...ours, OCM.entry]);
    });

    it("the program's way in an existing namespace: the live list with ours added, forced, drops nothing, converges, follows a rotation and removes only ours", async () => {
      const manifests = loadManifests(join(out, stack, "kubernetes"));
      const patches = manifests.filter((m) => m.patch && m.object.kind === "ServiceAccount" && m.object.metadata.name === "default").map((m) => m.object);
      // Another tenant namespace than the test above, one with exactly seed 000's two pull secrets.
      const patch = patches.find((p, i) => i > 0 && JSON.stringify(imagePullSecrets(p)) === JSON.stringify(["app-registry-pull", "quay-pull"]))!;
      expect(patch, "a tenant namespace whose default gets exactly app-registry-pull and quay-pull").toBeDefined();
      const ns = patch.metadata.namespace!;
      const enabled = imagePullSecrets(patch);
      const platform = loadStack({ root: ROOT, stack }).plan.cluster!.tenants.find((t) => t.namespace === ns)!.platformPullSecrets;
      const pulumi = pulumiFieldManager();
      const sa = () => cluster.getJson(["serviceaccount", "default", "-n", ns, "--show-managed-fields"]);
      const show = (what: string, o: KubeObject) =>
        console.log(`k8s: imagePullSecrets, ${what}: [${imagePullSecrets(o).join(", ")}], owners [${ownersOf(o, "f:imagePullSecrets").join(", ")}], resourceVersion ${o.metadata.resourceVersion}`);
      /** What the program applies: its rendered patch with the list computed from the live object. */
      const programPatch = (live: KubeObject, want = enabled) => ({ ...patch, imagePullSecrets: pullSecretsToApply(imagePullSecrets(live), want, platform).map((name) => ({ name })) });

      await cluster.kubectl(["create", "namespace", ns]);
      await defaultCreated(ns);
      await ocmWrites(ns, [OCM.entry]);

      // 1. Without force even the union conflicts: the list is atomic and its value changes.
      const live = await sa();
      const union = programPatch(live);
      expect(imagePullSecrets(union)).toEqual([OCM.entry, ...enabled]);
      const plain = await cluster.apply([union], { fieldManager: pulumi });
      console.log(`k8s: imagePullSecrets, live list plus ours without force: kubectl exit ${plain.code}: ${plain.stderr.trim().split("\n")[0]}`);
      expect(plain.code).not.toBe(0);
      expect(plain.stderr).toContain('conflict with "before-first-apply" using v1: .imagePullSecrets');

      // 2. Forced (pulumi.com/patchForce, as the program sets it): nothing dropped; ours is the only owner.
      const forced = await cluster.apply([union], { fieldManager: pulumi, force: true });
      expect(forced.code).toBe(0);
      const afterForce = await sa();
      show("live list plus ours, forced", afterForce);
      expect(imagePullSecrets(afterForce)).toEqual([OCM.entry, ...enabled]);
      expect(ownersOf(afterForce, "f:imagePullSecrets")).toEqual([`${pulumi} (Apply)`]);

      // 3. The next `pulumi up` reads the list again: same value, nothing written, not even forced.
      const again = programPatch(afterForce);
      expect(again).toEqual(union);
      expect((await cluster.apply([again], { fieldManager: pulumi })).code).toBe(0);
      expect((await cluster.apply([again], { fieldManager: pulumi, force: true })).code).toBe(0);
      expect((await sa()).metadata.resourceVersion).toBe(afterForce.metadata.resourceVersion);

      // 4. The controller rotates its dockercfg Secret (now recorded: the object has managedFields)
      //    and owns the list; the next read includes the new entry, and applying that same value
      //    makes both managers owners without a conflict, even without force.
      const rotated = "default-dockercfg-fghij";
      await ocmWrites(ns, [...enabled, rotated]);
      const afterRotation = await sa();
      show(`after ${OCM.manager} rotates its entry`, afterRotation);
      expect(ownersOf(afterRotation, "f:imagePullSecrets")).toEqual([`${OCM.manager} (Update)`]);
      const followed = programPatch(afterRotation);
      expect(imagePullSecrets(followed)).toEqual([...enabled, rotated]);
      expect((await cluster.apply([followed], { fieldManager: pulumi })).code).toBe(0);
      const shared = await sa();
      show("next apply of the live list (no force)", shared);
      expect(imagePullSecrets(shared)).toEqual([...enabled, rotated]);
      expect(ownersOf(shared, "f:imagePullSecrets").sort()).toEqual([`${OCM.manager} (Update)`, `${pulumi} (Apply)`].sort());
      const sharedAgain = await cluster.apply([followed], { fieldManager: pulumi, force: true });
      expect(sharedAgain.code).toBe(0);
      expect((await sa()).metadata.resourceVersion).toBe(shared.metadata.resourceVersion);

      // 5. quay-pull is disabled: the value changes while the controller co-owns the list, so
      //    without force it conflicts; forced, only quay-pull goes and the controller's entry stays.
      const fewer = programPatch(shared, ["app-registry-pull"]);
      expect(imagePullSecrets(fewer)).toEqual(["app-registry-pull", rotated]);
      const removeUnforced = await cluster.apply([fewer], { fieldManager: pulumi });
      console.log(`k8s: imagePullSecrets, removing quay-pull without force: kubectl exit ${removeUnforced.code}: ${removeUnforced.stderr.trim().split("\n")[0]}`);
      expect(removeUnforced.code).not.toBe(0);
      expect(removeUnforced.stderr).toContain(`conflict with "${OCM.manager}" using v1: .imagePullSecrets`);
      expect((await cluster.apply([fewer], { fieldManager: pulumi, force: true })).code).toBe(0);
      const afterRemoval = await sa();
      show("removing quay-pull, forced", afterRemoval);
      expect(imagePullSecrets(afterRemoval)).toEqual(["app-registry-pull", rotated]);
      expect(ownersOf(afterRemoval, "f:imagePullSecrets")).toEqual([`${pulumi} (Apply)`]);
    });

    it("a namespace the program created: the first `up` forces its own list, the next `up` finds `default` by itself and keeps the controller's entry", async () => {
      /** The program's ServiceAccountPatch for `ns`, with the engine answering from what the server holds now. */
      const programPatch = async (ns: string, live: Record<string, string[]>) => {
        const run = await runOffline({ root: ROOT, stack, liveServiceAccounts: live });
        const r = run.resources.find((x) => x.type === "kubernetes:core/v1:ServiceAccountPatch" && (plain(x.inputs) as KubeObject).metadata.namespace === ns)!;
        return { object: plain(r.inputs) as KubeObject, reads: run.resources.filter((x) => x.read && x.type === "kubernetes:core/v1:ServiceAccount").map((x) => x.name) };
      };
      const tenants = loadStack({ root: ROOT, stack }).plan.cluster!.tenants;
      // A namespace neither test above uses.
      const patched = loadManifests(join(out, stack, "kubernetes")).filter((m) => m.patch && m.object.kind === "ServiceAccount").map((m) => m.object);
      const seedPair = patched.find((p, i) => i > 0 && JSON.stringify(imagePullSecrets(p)) === JSON.stringify(["app-registry-pull", "quay-pull"]));
      const used = new Set([patched[0]?.metadata.namespace, seedPair?.metadata.namespace]);
      const tenant = tenants.filter((t) => !used.has(t.namespace) && t.imagePullSecrets.length > 0).at(-1)!;
      const ns = tenant.namespace;
      const pulumi = pulumiFieldManager();
      const sa = () => cluster.getJson(["serviceaccount", "default", "-n", ns, "--show-managed-fields"]);

      // First `up`: the namespace does not exist, so nothing is read and the patch carries only ours, forced.
      const first = await programPatch(ns, {});
      expect(first.reads).toEqual([]);
      expect(first.object.metadata.annotations).toEqual({ "pulumi.com/patchForce": "true" });
      expect(imagePullSecrets(first.object)).toEqual(tenant.imagePullSecrets);
      await cluster.kubectl(["create", "namespace", ns]);
      await defaultCreated(ns);
      // The worst order: the controller's entry lands between the namespace and the patch.
      await ocmWrites(ns, [OCM.entry]);
      expect((await cluster.apply([first.object], { fieldManager: pulumi, force: true })).code).toBe(0);
      const dropped = await sa();
      console.log(`k8s: imagePullSecrets, created namespace, first up (forced): [${imagePullSecrets(dropped).join(", ")}]`);
      expect(imagePullSecrets(dropped)).toEqual(tenant.imagePullSecrets);
      // ... and the controller puts its entry back, as openshift-controller-manager does.
      await ocmWrites(ns, [...imagePullSecrets(dropped), OCM.entry]);

      // Next `up`: not declared anywhere, yet the engine's ExistsResource finds `default`; the program reads it.
      const liveList = imagePullSecrets(await sa());
      const second = await programPatch(ns, { [`${ns}/default`]: liveList });
      expect(second.reads).toEqual([`${ns}-default-live`]);
      expect(imagePullSecrets(second.object)).toEqual([...tenant.imagePullSecrets, OCM.entry]);
      const before = await sa();
      expect((await cluster.apply([second.object], { fieldManager: pulumi, force: true })).code).toBe(0);
      const after = await sa();
      console.log(`k8s: imagePullSecrets, created namespace, next up (live list read): [${imagePullSecrets(after).join(", ")}], owners [${ownersOf(after, "f:imagePullSecrets").join(", ")}], resourceVersion ${before.metadata.resourceVersion} -> ${after.metadata.resourceVersion}`);
      expect(imagePullSecrets(after)).toEqual([...tenant.imagePullSecrets, OCM.entry]);
      // Same value: the only change is that both managers now own the list (one new resourceVersion
      // for the managedFields); the apply after that writes nothing.
      expect(ownersOf(after, "f:imagePullSecrets").sort()).toEqual([`${OCM.manager} (Update)`, `${pulumi} (Apply)`].sort());
      expect((await cluster.apply([second.object], { fieldManager: pulumi, force: true })).code).toBe(0);
      expect((await sa()).metadata.resourceVersion).toBe(after.metadata.resourceVersion);
    });
  });
});
