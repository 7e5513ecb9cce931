// Runs tools/template (ESO v2.9.0's template engine, reimplemented: docs/testing.md "The suites"
// section), or any binary that speaks its JSON protocol, over a batch of cases in one
// process.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** ESO v1's ExternalSecretTemplate as it appears in a manifest. */
export interface EsoTemplate {
  type?: string;
  engineVersion?: string;
  mergePolicy?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  data?: Record<string, string>;
  templateFrom?: unknown[];
}

/** Bytes travel as base64, as in a Secret's `data`. */
export type ByteMap = Record<string, string>;

export interface RenderCase {
  id: string;
  template: EsoTemplate | null;
  data: ByteMap;
  /** The ExternalSecret's own metadata: ESO copies it to the Secret only when there is no template. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  configMaps?: Record<string, Record<string, string>>;
  secrets?: Record<string, ByteMap>;
}

export interface RenderedSecret {
  /** "" when the template sets none: the API server then stores Opaque. */
  type: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  finalizers?: string[];
  data: ByteMap;
}

export interface RenderResult {
  id: string;
  secret?: RenderedSecret;
  error?: string;
}

export const toB64 = (s: string | Uint8Array) => Buffer.from(s).toString("base64");
export const fromB64 = (s: string) => Buffer.from(s, "base64");
export const byteMap = (m: Record<string, string>): ByteMap => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toB64(v)]));

export type Engine = { bin: string } | { skipped: string };

/**
 * Builds tools/template into ~/.cache/platform-secrets/template/<hash> (scripts/template-build.sh)
 * and returns the binary, or why the suite has to skip: no Go toolchain on this machine.
 */
export function buildEngine(root: string): Engine {
  const r = spawnSync("bash", [join(root, "scripts/template-build.sh")], { encoding: "utf8" });
  if (r.status === 3) return { skipped: r.stderr.trim() };
  if (r.status !== 0) throw new Error(`scripts/template-build.sh exited ${r.status}:\n${r.stderr}`);
  return { bin: r.stdout.trim() };
}

/** Renders every case in one process; results come back in the order of `cases`. */
export function renderAll(bin: string, cases: readonly RenderCase[]): RenderResult[] {
  const r = spawnSync(bin, [], { input: JSON.stringify({ cases }), encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${bin} exited ${r.status}: ${r.stderr}`);
  const { results } = JSON.parse(r.stdout) as { results: RenderResult[] };
  if (results.length !== cases.length || results.some((x, i) => x.id !== cases[i]!.id)) {
    throw new Error(`${bin} answered ${results.length} results for ${cases.length} cases, or out of order`);
  }
  // Go encodes an empty rendering (a nil []byte) as null; in a Secret it is an empty value.
  for (const x of results) if (x.secret) for (const [k, v] of Object.entries(x.secret.data)) if (v === null) x.secret.data[k] = "";
  return results;
}
