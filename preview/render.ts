// Renders a preview record for people and tools: a summary grouped by component, manifests
// and Vault documents on disk, and the digest `pulumi preview --json` prints.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { claimOutputDir, type OutputDirOptions } from "./outputDir";
import { masked, plain, UNKNOWN, type RegisteredResource } from "./record";

interface Meta {
  name?: string;
  namespace?: string;
}

/** The name an operator would search for: `ns/name` for Kubernetes, the path or name for Vault. */
export function displayName(r: RegisteredResource): string {
  const i = plain(r.inputs) as Record<string, unknown> & { metadata?: Meta };
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
const isStackRoot = (r: RegisteredResource) => r.type === "pulumi:pulumi:Stack";
const isProvider = (r: RegisteredResource) => r.type.startsWith("pulumi:providers:");

export function summary(stack: string, resources: readonly RegisteredResource[], header: string[] = []): string {
  const shown = resources.filter((r) => !isStackRoot(r) && !isProvider(r));
  const urns = new Set(shown.map((r) => r.urn));
  const children = new Map<string, RegisteredResource[]>();
  const roots: RegisteredResource[] = [];
  for (const r of shown) {
    if (r.parent && urns.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    else roots.push(r);
  }
  const lines = [`Previewing stack ${stack} offline (Pulumi's own runner against a recording engine: no cloud, cluster or Vault was contacted)`, ...header.map((h) => `  ${h}`), ""];
  const walk = (r: RegisteredResource, depth: number) => {
    const op = r.read ? "read" : r.importId ? "=" : "+";
    const flag = `${r.protect ? "  [protected]" : ""}${r.importId ? `  [import ${r.importId}]` : ""}`;
    const kids = children.get(r.urn) ?? [];
    lines.push(`${"    ".repeat(depth)}${op} ${shortType(r.type)}  ${r.custom ? displayName(r) : r.name}${flag}${kids.length && !r.custom ? `  (${kids.length})` : ""}`);
    for (const k of [...kids].sort((a, b) => Number(a.custom) - Number(b.custom))) walk(k, depth + 1);
  };
  for (const r of roots) walk(r, 1);
  const created = shown.filter((r) => !r.read && !r.importId);
  const imported = shown.filter((r) => r.importId);
  lines.push(
    "",
    `Resources: ${created.length} to create (${created.filter((r) => r.custom).length} custom, ${created.filter((r) => !r.custom).length} components), ${imported.length} to import, ${shown.filter((r) => r.protect).length} protected, ${shown.filter((r) => r.read).length} read`,
  );
  return lines.join("\n");
}

/** `apitype.ResourceV3` as the engine serialises a step's new state (secrets masked). */
export interface ResourceV3 {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  protect?: boolean;
  dependencies?: string[];
  provider?: string;
  propertyDependencies?: Record<string, string[]>;
  importID?: string;
  ignoreChanges?: string[];
  external?: boolean;
  additionalSecretOutputs?: string[];
}

/** `display.PreviewStep` (pkg/display/json.go). */
export interface PreviewStep {
  op: "create" | "read" | "import";
  urn: string;
  provider?: string;
  newState?: ResourceV3;
  detailedDiff: null;
}

/** `display.PreviewDiagnostic`: the engine prints `prefix + message` as `message`. */
export interface PreviewDiagnostic {
  urn?: string;
  message: string;
  severity: "info" | "warning" | "error";
}

/** `apitype.PolicyEvent`, as the engine's event stream carries a policy finding. */
export interface PolicyEvent {
  resourceUrn?: string;
  message: string;
  color: "never";
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  policyPackVersionTag: string;
  enforcementLevel: string;
}

/**
 * `display.PreviewDigest`, field for field, plus `policyEvents`: the engine's digest skips
 * policy events (pkg/backend/display/json.go), so they are added in the engine's own
 * PolicyEvent shape for tools that would otherwise need a second run with `--event-log`.
 */
export interface PreviewDigest {
  config?: Record<string, string>;
  steps?: PreviewStep[];
  diagnostics?: PreviewDiagnostic[];
  duration?: number;
  changeSummary?: Record<string, number>;
  policyEvents?: PolicyEvent[];
}

const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/**
 * The provider the engine names for a step: a StackReference is read through the engine's own
 * default `pulumi` provider, whose id a preview of a new stack does not know yet.
 */
function providerOf(r: RegisteredResource): string | undefined {
  if (r.provider) return r.provider;
  if (r.type !== STACK_REFERENCE) return undefined;
  const prefix = r.urn.slice(0, r.urn.indexOf("::", r.urn.indexOf("::") + 2) + 2);
  return `${prefix}pulumi:providers:pulumi::default::${UNKNOWN}`;
}

/**
 * The new state as the engine serialises it when the step is announced (as `pulumi preview
 * --json` printed it with the real CLI v3.274.1): no outputs yet, for reads too; a read carries
 * the id it reads and `external: true`; every input keeps its propertyDependencies entry, empty
 * or not.
 */
function newState(r: RegisteredResource): ResourceV3 {
  const nonEmpty = <T extends object>(key: string, v: T) => (Object.keys(v).length ? { [key]: v } : {});
  const provider = providerOf(r);
  return {
    urn: r.urn,
    custom: r.custom,
    ...(r.read && r.readId !== undefined ? { id: r.readId } : {}),
    type: r.type,
    ...nonEmpty("inputs", masked(r.inputs)),
    ...(r.parent ? { parent: r.parent } : {}),
    ...(r.protect ? { protect: true } : {}),
    ...(r.read ? { external: true } : {}),
    ...(r.dependencies.length ? { dependencies: r.dependencies } : {}),
    ...(provider ? { provider } : {}),
    ...nonEmpty("propertyDependencies", r.propertyDependencies),
    ...(r.importId ? { importID: r.importId } : {}),
    ...(r.ignoreChanges?.length ? { ignoreChanges: r.ignoreChanges } : {}),
    ...(r.additionalSecretOutputs?.length ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
  };
}

export interface DigestInput {
  resources: readonly RegisteredResource[];
  config: Record<string, string>;
  diagnostics: PreviewDiagnostic[];
  policyEvents: PolicyEvent[];
  durationMs: number;
}

/** `pulumi:providers:<pkg>::default…`: the engine's own provider for a resource registered without one. */
const isDefaultProvider = (r: RegisteredResource) => r.type.startsWith("pulumi:providers:") && r.name.startsWith("default");

export function previewDigest(d: DigestInput): PreviewDigest {
  // The real CLI (v3.274.1) prints no step for a default provider, though it is in the state
  // afterwards: seen by the end-to-end suite (test/e2e), where the vault stack's random provider
  // was the one step the offline digest had and the engine's did not.
  const steps = d.resources.filter((r) => !isDefaultProvider(r)).map((r): PreviewStep => {
    const op = r.read ? "read" : r.importId ? "import" : "create";
    const provider = providerOf(r);
    return { op, urn: r.urn, ...(provider ? { provider } : {}), newState: newState(r), detailedDiff: null };
  });
  // The real CLI's summary counts the reads of `.get` but not the StackReference's (seen with v3.274.1).
  const changeSummary: Record<string, number> = {};
  for (const s of steps) if (s.newState?.type !== STACK_REFERENCE) changeSummary[s.op] = (changeSummary[s.op] ?? 0) + 1;
  return {
    config: d.config,
    steps,
    ...(d.diagnostics.length ? { diagnostics: d.diagnostics } : {}),
    duration: Math.round(d.durationMs * 1e6),
    changeSummary,
    ...(d.policyEvents.length ? { policyEvents: d.policyEvents } : {}),
  };
}

/** One entry of a `pulumi import --file` file (pkg/cmd/pulumi/operations/import.go, `importSpec`). */
export interface ImportSpec {
  type: string;
  /** The key other entries refer to; unique in the file. */
  name: string;
  /** The resource's Pulumi name (first argument of its constructor). */
  logicalName: string;
  id?: string;
  parent?: string;
  provider?: string;
  component?: boolean;
}

/** `importFile`: `nameTable` maps names used by `provider`/`parent` to URNs. */
export interface ImportFile {
  nameTable: Record<string, string>;
  resources: ImportSpec[];
}

/**
 * The `pulumi import --file` equivalent of the resources registered with the `import` option:
 * each with its id, its parent components as `component: true` entries (the engine creates
 * them empty, as parents), and its explicit provider by URN in `nameTable`. Undefined when
 * nothing is adopted.
 */
export function importFile(resources: readonly RegisteredResource[]): ImportFile | undefined {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const adopted = resources.filter((r) => r.importId);
  if (adopted.length === 0) return undefined;
  const wanted = new Map<string, RegisteredResource>();
  for (const r of adopted) {
    for (let p: RegisteredResource | undefined = r; p && !isStackRoot(p); p = p.parent ? byUrn.get(p.parent) : undefined) wanted.set(p.urn, p);
  }
  const entries = [...wanted.values()];
  const counts = new Map<string, number>();
  for (const r of entries) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const key = (r: RegisteredResource) => (counts.get(r.name)! > 1 ? `${r.name}:${r.type}` : r.name);
  const nameTable: Record<string, string> = {};
  const specs = entries.map((r): ImportSpec => {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    const spec: ImportSpec = { type: r.type, name: key(r), logicalName: r.name };
    if (r.custom) spec.id = r.importId;
    else spec.component = true;
    if (parent && !isStackRoot(parent)) spec.parent = key(parent);
    // Default providers need no entry; an explicit one is named by its URN (`urn::id` without the id).
    const providerUrn = r.provider?.slice(0, r.provider.lastIndexOf("::"));
    if (r.custom && providerUrn && !providerUrn.split("::")[3]?.startsWith("default")) {
      const name = `provider:${providerUrn.split("::")[3]}`;
      nameTable[name] = providerUrn;
      spec.provider = name;
    }
    return spec;
  });
  // Parents first: the engine resolves each entry's parent by name.
  const depth = (s: ImportSpec): number => (s.parent ? 1 + depth(specs.find((p) => p.name === s.parent)!) : 0);
  return { nameTable, resources: specs.sort((a, b) => depth(a) - depth(b)) };
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const managedOfType = (resources: readonly RegisteredResource[], test: (type: string) => boolean) => resources.filter((r) => !r.read && test(r.type));

/** Writes manifests (YAML), policies (HCL) and the other Vault objects (JSON) under `dir`; returns file count. */
export function writeArtifacts(dir: string, resources: readonly RegisteredResource[], digest: PreviewDigest, owner: OutputDirOptions): number {
  claimOutputDir(dir, owner);
  let files = 0;
  const out = (rel: string, text: string) => {
    write(join(dir, rel), text);
    files++;
  };
  const manifests: string[] = [];
  for (const r of managedOfType(resources, (t) => t.startsWith("kubernetes:"))) {
    const { apiVersion, kind, ...rest } = plain(r.inputs) as { apiVersion?: string; kind?: string; metadata?: Meta } & Record<string, unknown>;
    const text = stringify({ apiVersion, kind, ...rest }, { lineWidth: 0 });
    const ns = rest.metadata?.namespace ?? "_cluster";
    const patch = r.type.endsWith("Patch") ? ".patch" : "";
    out(`kubernetes/${ns}/${kind}.${rest.metadata?.name ?? r.name}${patch}.yaml`, text);
    manifests.push(text);
  }
  if (manifests.length) out("kubernetes/all.yaml", manifests.join("---\n"));
  for (const r of managedOfType(resources, (t) => t === "vault:index/policy:Policy")) {
    const i = plain(r.inputs);
    out(`vault/policies/${String(i.name)}.hcl`, String(i.policy));
  }
  const vaultJson = (file: string, types: string[]) => {
    const objects = managedOfType(resources, (t) => types.includes(t)).map((r) => ({ type: r.type, name: displayName(r), protect: r.protect, ...(r.importId ? { importId: r.importId } : {}), inputs: masked(r.inputs) }));
    if (objects.length) out(`vault/${file}`, `${JSON.stringify(objects, null, 2)}\n`);
  };
  vaultJson("mounts.json", ["vault:index/mount:Mount", "vault:kv/secretV2:SecretV2"]);
  vaultJson("auth.json", ["vault:index/authBackend:AuthBackend", "vault:kubernetes/authBackendConfig:AuthBackendConfig"]);
  vaultJson("roles.json", ["vault:kubernetes/authBackendRole:AuthBackendRole"]);
  vaultJson("identity.json", ["vault:identity/group:Group", "vault:identity/groupAlias:GroupAlias"]);
  const imports = importFile(resources);
  if (imports) out("import.json", `${JSON.stringify(imports, null, 4)}\n`);
  out("preview.json", `${JSON.stringify(digest, null, 2)}\n`);
  return files;
}
