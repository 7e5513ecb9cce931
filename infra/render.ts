// Renders an offline run for people and tools: a summary grouped by component, manifests
// and Vault documents on disk, and a plan in the shape of `pulumi preview --json`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { claimOutputDir, type OutputDirOptions } from "../preview/outputDir";
import type { RegisteredResource } from "./mockRuntime";

const SECRET_INPUTS: Record<string, string[]> = {
  "vault:kubernetes/authBackendConfig:AuthBackendConfig": ["tokenReviewerJwt"],
  "vault:kv/secretV2:SecretV2": ["dataJson"],
};

/** Inputs as a reviewer may see them: values Pulumi keeps secret are masked. */
export function displayInputs(r: RegisteredResource): Record<string, unknown> {
  const masked = SECRET_INPUTS[r.type] ?? [];
  return Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, masked.includes(k) ? "[secret]" : v]));
}

interface Meta {
  name?: string;
  namespace?: string;
}

/** The name an operator would search for: `ns/name` for Kubernetes, the path or name for Vault. */
export function displayName(r: RegisteredResource): string {
  const i = r.inputs as Record<string, unknown> & { metadata?: Meta };
  if (r.type.startsWith("kubernetes:") && i.metadata?.name) return i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name;
  if (r.type === "vault:kubernetes/authBackendRole:AuthBackendRole") return `auth/${String(i.backend)}/role/${String(i.roleName)}`;
  if (r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig") return `auth/${String(i.backend)}/config`;
  if (r.type === "vault:index/authBackend:AuthBackend") return `auth/${String(i.path)}`;
  if (r.type === "vault:index/mount:Mount") return `${String(i.path)}/`;
  if (r.type === "vault:kv/secretV2:SecretV2") return `${String(i.mount)}/${String(i.name)}`;
  if (typeof i.name === "string") return i.name;
  return r.name;
}

const shortType = (t: string) => t.replace(/^kubernetes:/, "k8s:").replace(/^platform-secrets:/, "");

export function summary(stack: string, resources: readonly RegisteredResource[], header: string[] = []): string {
  const children = new Map<string, RegisteredResource[]>();
  const roots: RegisteredResource[] = [];
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    if (r.parent && urns.has(r.parent)) {
      const list = children.get(r.parent) ?? [];
      list.push(r);
      children.set(r.parent, list);
    } else roots.push(r);
  }
  const lines = [`Previewing stack ${stack} offline (Pulumi mock runtime: no cloud, cluster or Vault was contacted)`, ...header.map((h) => `  ${h}`), ""];
  const walk = (r: RegisteredResource, depth: number) => {
    const op = r.read ? "read" : "+";
    const flag = r.protect ? "  [protected]" : "";
    const kids = children.get(r.urn) ?? [];
    lines.push(`${"    ".repeat(depth)}${op} ${shortType(r.type)}  ${r.custom ? displayName(r) : r.name}${flag}${kids.length && !r.custom ? `  (${kids.length})` : ""}`);
    const sorted = [...kids].sort((a, b) => Number(a.custom) - Number(b.custom));
    for (const k of sorted) walk(k, depth + 1);
  };
  for (const r of roots) walk(r, 1);
  const created = resources.filter((r) => !r.read);
  lines.push("", `Resources: ${created.length} to create (${created.filter((r) => r.custom).length} custom, ${created.filter((r) => !r.custom).length} components), ${created.filter((r) => r.protect).length} protected, ${resources.length - created.length} read`);
  return lines.join("\n");
}

export interface PreviewStep {
  op: "create" | "read";
  urn: string;
  type: string;
  provider?: string;
  protect: boolean;
  inputs: Record<string, unknown>;
}

export interface PreviewDiagnostic {
  urn?: string;
  severity: "error" | "warning" | "info";
  prefix?: string;
  message: string;
}

export interface PreviewJson {
  steps: PreviewStep[];
  diagnostics: PreviewDiagnostic[];
  changeSummary: Record<string, number>;
  outputs: unknown;
}

export function previewJson(resources: readonly RegisteredResource[], outputs: unknown, diagnostics: PreviewDiagnostic[] = []): PreviewJson {
  const steps = resources.map((r): PreviewStep => ({
    op: r.read ? "read" : "create",
    urn: r.urn,
    type: r.type,
    ...(r.provider ? { provider: r.provider } : {}),
    protect: r.protect,
    inputs: displayInputs(r),
  }));
  const changeSummary: Record<string, number> = {};
  for (const s of steps) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
  return { steps, diagnostics, changeSummary, outputs };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const byType = (resources: readonly RegisteredResource[], prefix: string) => resources.filter((r) => !r.read && r.type.startsWith(prefix));

/** Writes manifests (YAML), policies (HCL) and the other Vault objects (JSON) under `dir`; returns file count. */
export function writeArtifacts(dir: string, resources: readonly RegisteredResource[], json: PreviewJson, owner: OutputDirOptions): number {
  claimOutputDir(dir, owner);
  let files = 0;
  const out = (rel: string, text: string) => {
    write(join(dir, rel), text);
    files++;
  };
  const manifests: string[] = [];
  for (const r of byType(resources, "kubernetes:")) {
    const { apiVersion, kind, ...rest } = r.inputs as { apiVersion?: string; kind?: string; metadata?: Meta } & Record<string, unknown>;
    const doc = { apiVersion, kind, ...rest };
    const text = stringify(doc, { lineWidth: 0 });
    const ns = rest.metadata?.namespace ?? "_cluster";
    const patch = r.type.endsWith("Patch") ? ".patch" : "";
    out(`kubernetes/${ns}/${kind}.${rest.metadata?.name ?? r.name}${patch}.yaml`, text);
    manifests.push(text);
  }
  if (manifests.length) out("kubernetes/all.yaml", manifests.join("---\n"));
  for (const r of byType(resources, "vault:index/policy:Policy")) out(`vault/policies/${String(r.inputs.name)}.hcl`, String(r.inputs.policy));
  const vaultJson = (file: string, prefixes: string[]) => {
    const objects = resources.filter((r) => !r.read && prefixes.some((p) => r.type === p)).map((r) => ({ type: r.type, name: displayName(r), protect: r.protect, inputs: displayInputs(r) }));
    if (objects.length) out(`vault/${file}`, `${JSON.stringify(objects, null, 2)}\n`);
  };
  vaultJson("mounts.json", ["vault:index/mount:Mount", "vault:kv/secretV2:SecretV2"]);
  vaultJson("auth.json", ["vault:index/authBackend:AuthBackend", "vault:kubernetes/authBackendConfig:AuthBackendConfig"]);
  vaultJson("roles.json", ["vault:kubernetes/authBackendRole:AuthBackendRole"]);
  vaultJson("identity.json", ["vault:identity/group:Group", "vault:identity/groupAlias:GroupAlias"]);
  out("preview.json", `${JSON.stringify(json, null, 2)}\n`);
  return files;
}
