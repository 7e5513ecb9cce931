// Reading what the controller did: object conditions, Secrets, waiting for a state, and the TCP
// connections the controller process holds.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { stringify } from "yaml";
import type { KubeObject } from "../k8s/cluster";
import type { ControlPlane } from "./platform";

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export const conditionOf = (o: KubeObject | undefined, type = "Ready"): Condition | undefined =>
  ((o?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);

export const isReady = (o: KubeObject | undefined) => conditionOf(o)?.status === "True";

/** `ns/name` (or `name` when cluster-scoped). */
export const keyOf = (o: { metadata: { name: string; namespace?: string } }) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** Every object of a resource, in all namespaces, keyed `ns/name`. */
export async function listAll(cluster: ControlPlane, resource: string): Promise<Map<string, KubeObject>> {
  const list = JSON.parse((await cluster.kubectl(["get", resource, "--all-namespaces", "-o", "json"])).stdout) as { items: KubeObject[] };
  return new Map(list.items.map((o) => [keyOf(o), o]));
}

/** One object, or undefined when it does not exist. */
export async function getObject(cluster: ControlPlane, resource: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
  const r = await cluster.kubectl(["get", resource, name, ...(namespace ? ["-n", namespace] : []), "-o", "json"], { allowFailure: true });
  if (r.code !== 0) {
    if (/NotFound/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${resource} ${name}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout) as KubeObject;
}

/** A Secret's data, decoded to the exact bytes. */
export const secretData = (s: KubeObject): Record<string, Buffer> =>
  Object.fromEntries(Object.entries((s.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64")]));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns a value (not undefined); on timeout throws with `describe()`,
 * the state that was still wrong, so a failure says what the controller reported.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, describe: () => Promise<string> | string, timeoutMs = 90_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not reached after ${timeoutMs / 1000} s:\n${await describe()}`);
    await sleep(intervalMs);
  }
}

/** Each object's Ready condition in one line: what a failed wait reports. */
export const conditionLines = (objects: Iterable<KubeObject>) =>
  [...objects].map((o) => {
    const c = conditionOf(o);
    return `${o.kind} ${keyOf(o)}: ${c ? `${c.status} ${c.reason ?? ""} ${c.message ?? ""}` : "no Ready condition"}`;
  }).join("\n");

export interface Connection {
  /** Remote IPv4 address and port. */
  host: string;
  port: number;
}

/** Decodes /proc/net/tcp's `0100007F:1F90` (little-endian IPv4 : port). */
function endpoint(hex: string): Connection {
  const [ip, port] = hex.split(":");
  const bytes = ip!.match(/../g)!.map((b) => parseInt(b, 16)).reverse();
  return { host: bytes.join("."), port: parseInt(port!, 16) };
}

const ESTABLISHED = "01";

/** The established IPv4 TCP connections a process holds, by remote address (Linux /proc). */
export function connectionsOf(pid: number): Connection[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed while listing
    }
  }
  const found = new Map<string, Connection>();
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== ESTABLISHED || !inodes.has(f[9]!)) continue;
    const remote = endpoint(f[2]!);
    found.set(`${remote.host}:${remote.port}`, remote);
  }
  return [...found.values()];
}

/** The Warning events recorded for an object: what `oc describe` lists under Events, where ESO puts the cause of a failed sync. */
export async function warningsFor(cluster: ControlPlane, kind: string, namespace: string, name: string): Promise<string[]> {
  const selector = `involvedObject.kind=${kind},involvedObject.name=${name},type=Warning`;
  const list = JSON.parse((await cluster.kubectl(["get", "events", "-n", namespace, "--field-selector", selector, "-o", "json"])).stdout) as { items: Array<{ message: string }> };
  return list.items.map((e) => e.message);
}

/** Server-side applies objects as `fieldManager` (a tenant's or the platform installer's hand); throws on refusal. */
export async function applyObjects(cluster: ControlPlane, objects: readonly object[], fieldManager: string): Promise<void> {
  const input = objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
  await cluster.kubectl(["apply", "--server-side", `--field-manager=${fieldManager}`, "-f", "-"], { input });
}
