// Applies what the offline preview wrote under out/<stack>/kubernetes/ to a real API server,
// in the order Pulumi's dependency graph would, and checks that the server kept every field.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import type { ApplyOptions, ApplyResult, KubeCluster, KubeObject } from "./cluster";

export interface Manifest {
  /** Path relative to the stack's kubernetes/ directory. */
  file: string;
  object: KubeObject;
  /** A `<Kind>Patch` resource: it edits an object someone else created. */
  patch: boolean;
}

/** Every object file the preview rendered (all.yaml repeats them and is skipped). */
export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml") && path !== join(dir, "all.yaml")) {
        out.push({ file: relative(dir, path), object: parse(readFileSync(path, "utf8")) as KubeObject, patch: name.endsWith(".patch.yaml") });
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

// Dependencies the program expresses with dependsOn/parents: a token Secret after its
// ServiceAccount (the token controller deletes a token Secret whose account does not exist),
// stores after their ServiceAccounts, ExternalSecrets after stores.
const KIND_ORDER = ["Namespace", "ServiceAccount", "ClusterRoleBinding", "Secret", "NetworkPolicy", "ClusterSecretStore", "SecretStore", "ExternalSecret", "ClusterExternalSecret"];
const rank = (m: Manifest) => {
  const i = KIND_ORDER.indexOf(m.object.kind);
  return i < 0 ? KIND_ORDER.length : i;
};

export const objectKey = (o: Pick<KubeObject, "kind" | "metadata">) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

export interface FieldDiff {
  /** Sent fields the server did not store, or stored differently: pruned or unknown. */
  lost: string[];
  /** Sent empty maps/lists the server left out (built-in types omit them; same meaning). */
  emptied: string[];
}

/** Where `stored` does not contain everything `sent` set. */
export function diffSent(sent: unknown, stored: unknown, path = ""): FieldDiff {
  const diff: FieldDiff = { lost: [], emptied: [] };
  const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && Object.keys(v).length === 0);
  if (stored === undefined) {
    (isEmpty(sent) ? diff.emptied : diff.lost).push(path || ".");
    return diff;
  }
  if (Array.isArray(sent)) {
    if (!Array.isArray(stored) || stored.length !== sent.length) {
      diff.lost.push(`${path} (sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)})`);
      return diff;
    }
    sent.forEach((v, i) => merge(diff, diffSent(v, stored[i], `${path}[${i}]`)));
    return diff;
  }
  if (typeof sent === "object" && sent !== null) {
    if (typeof stored !== "object" || stored === null || Array.isArray(stored)) {
      diff.lost.push(`${path} (sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)})`);
      return diff;
    }
    for (const [k, v] of Object.entries(sent)) merge(diff, diffSent(v, (stored as Record<string, unknown>)[k], `${path}.${k}`));
    return diff;
  }
  if (sent !== stored) diff.lost.push(`${path} (sent ${JSON.stringify(sent)}, stored ${JSON.stringify(stored)})`);
  return diff;
}

function merge(into: FieldDiff, from: FieldDiff): void {
  into.lost.push(...from.lost);
  into.emptied.push(...from.emptied);
}

export interface PhaseReport {
  phase: string;
  dryRun: boolean;
  objects: number;
  code: number;
  stderr: string;
  warnings: string[];
  /** `<object>: <path>` for every sent field the server did not keep. */
  lost: string[];
  emptied: string[];
}

export interface StackApplyReport {
  /** Objects the server accepted for real. */
  applied: number;
  phases: PhaseReport[];
  warnings: string[];
  lost: string[];
  emptied: string[];
  /** Non-zero kubectl exits, with their stderr. */
  failures: string[];
  stored: Map<string, KubeObject>;
}

function checkPhase(phase: string, sent: readonly KubeObject[], r: ApplyResult, dryRun: boolean): PhaseReport {
  const byKey = new Map(r.stored.map((o) => [objectKey(o), o]));
  const lost: string[] = [];
  const emptied: string[] = [];
  for (const o of sent) {
    const key = objectKey(o);
    const stored = byKey.get(key);
    if (!stored) {
      if (r.code === 0) lost.push(`${key}: not returned by the server`);
      continue;
    }
    const d = diffSent(o, stored);
    lost.push(...d.lost.map((p) => `${key}: ${p}`));
    emptied.push(...d.emptied.map((p) => `${key}: ${p}`));
  }
  return { phase, dryRun, objects: r.stored.length, code: r.code, stderr: r.stderr, warnings: r.warnings, lost, emptied };
}

/** Waits until every object a patch targets exists: Pulumi's `<Kind>Patch` fails on a missing one. */
async function waitForTargets(cluster: KubeCluster, patches: readonly KubeObject[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const p of patches) {
    const args = ["get", p.kind, p.metadata.name, ...(p.metadata.namespace ? ["-n", p.metadata.namespace] : []), "-o", "name"];
    while ((await cluster.kubectl(args, { allowFailure: true })).code !== 0) {
      if (Date.now() > deadline) throw new Error(`${objectKey(p)} never appeared: is the controller that creates it running?`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Server-side applies a rendered stack: namespaces, then the objects in them, then patches
 * once their targets exist; each step first with `--dry-run=server`, then for real, all with
 * strict field validation. Compares what was sent with what the server returned.
 */
export async function applyManifests(cluster: KubeCluster, dir: string, opts: Omit<ApplyOptions, "dryRun">): Promise<StackApplyReport> {
  const manifests = loadManifests(dir).sort((a, b) => rank(a) - rank(b));
  const phases: [string, Manifest[]][] = [
    ["namespaces", manifests.filter((m) => !m.patch && m.object.kind === "Namespace")],
    ["objects", manifests.filter((m) => !m.patch && m.object.kind !== "Namespace")],
    ["patches", manifests.filter((m) => m.patch)],
  ];
  const report: StackApplyReport = { applied: 0, phases: [], warnings: [], lost: [], emptied: [], failures: [], stored: new Map() };
  for (const [phase, list] of phases) {
    if (list.length === 0) continue;
    const objects = list.map((m) => m.object);
    if (phase === "patches") await waitForTargets(cluster, objects);
    for (const dryRun of [true, false]) {
      const r = await cluster.apply(objects, { ...opts, dryRun });
      const p = checkPhase(phase, objects, r, dryRun);
      report.phases.push(p);
      report.warnings.push(...p.warnings);
      report.lost.push(...p.lost);
      if (!dryRun) report.emptied.push(...p.emptied);
      if (r.code !== 0) {
        report.failures.push(`${phase}${dryRun ? " (dry run)" : ""}: kubectl exited ${r.code}: ${r.stderr.trim()}`);
        return report;
      }
      if (!dryRun) {
        report.applied += r.stored.length;
        for (const o of r.stored) report.stored.set(objectKey(o), o);
      }
    }
  }
  return report;
}

/**
 * ESO v2.9.0's own CRD files, read in place (data, never copied into the project): next to the
 * clone as ../shared/eso-crds/v2.9.0, or wherever $PLATFORM_SECRETS_ESO_CRDS says (a worktree).
 */
export const ESO_CRDS = process.env.PLATFORM_SECRETS_ESO_CRDS ?? join(process.cwd(), "../shared/eso-crds/v2.9.0");

/** Why a suite that installs the CRDs cannot run (a clone away from ../shared), or nothing. */
export const missingCrds = (): string[] => (existsSync(ESO_CRDS) ? [] : [`no ESO CRDs at ${ESO_CRDS} (set PLATFORM_SECRETS_ESO_CRDS)`]);

/** Installs CustomResourceDefinitions from a directory of YAML files and waits until they are Established. */
export async function installCrds(cluster: Pick<KubeCluster, "kubectl">, dir: string): Promise<{ names: string[]; warnings: string[] }> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
  const names = files.map((f) => (parse(readFileSync(f, "utf8")) as KubeObject).metadata.name);
  // Server-side: ESO's CRDs exceed the 256 KiB last-applied annotation client-side apply writes.
  const r = await cluster.kubectl(["apply", "--server-side", "--field-manager=external-secrets-install", ...files.flatMap((f) => ["-f", f])]);
  await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names.map((n) => `crd/${n}`)]);
  return { names, warnings: r.stderr.split("\n").filter((l) => l.startsWith("Warning:")) };
}
