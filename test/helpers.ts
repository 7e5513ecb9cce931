import { spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { stringify } from "yaml";
import { expect } from "vitest";
import { ConfigError, type ConfigIssue } from "../model/configError";
import { loadStack } from "../model/load";
import { copyProject } from "../preview/engine/project";
import { plain, type RegisteredResource } from "../preview/record";

export const ROOT = process.cwd();

/** A TCP port on 127.0.0.1 that nothing listens on right now, for a test server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The issues loading `stack` from `root` reports; fails the test if loading succeeds or throws anything else. */
export function issuesIn(root: string, stack = "x"): ConfigIssue[] {
  try {
    loadStack({ root, stack });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

/** The one issue reported for `key`; fails the test (listing every issue) unless there is exactly one. */
export function oneIssue(issues: readonly ConfigIssue[], key: string): ConfigIssue {
  const found = issues.filter((i) => i.key === key);
  expect(found, JSON.stringify(issues)).toHaveLength(1);
  return found[0]!;
}

/** The command `npm run preview` runs (package.json), from any directory. */
export const PREVIEW_COMMAND = [process.execPath, "--import=tsx", join(ROOT, "preview/cli.ts")] as const;

/** `npm run preview -- <args>` as a user runs it: its own process, in `cwd` as the project root. */
export function runPreview(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const [node, ...nodeArgs] = PREVIEW_COMMAND;
  const r = spawnSync(node, [...nodeArgs, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const roots: string[] = [];
process.on("exit", () => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A throwaway project root holding only the given files (paths relative to the root); removed at exit. */
export function fixtureRoot(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), "platform-secrets-"));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === "string" ? content : stringify(content));
  }
  return root;
}

/**
 * A throwaway copy of the project (its program, Pulumi.yaml and package.json) with the given
 * stack files: what `npm run preview` needs to run the program on Pulumi's runner there. The
 * pack and node_modules are linked, not copied.
 */
export function fixtureProject(files: Record<string, string | object>): string {
  const root = fixtureRoot(files);
  copyProject(ROOT, root);
  return root;
}

export const SEED_TENANTS = {
  tenants: [
    { division: "platform", app: "liberty-hello", team: "platform", deployments: { "spoke-dc-v6": ["dev"] } },
    { division: "payments", app: "checkout-api", team: "payments", deployments: { "spoke-dc-v6": ["dev", "prd"] } },
  ],
};

/** A single-cluster stack that owns its foundation: the smallest complete platform. */
export function ownFoundationStack(overrides: Record<string, unknown> = {}): { config: Record<string, unknown> } {
  return {
    config: {
      "platform-secrets:cluster": { name: "spoke-dc-v6", apiServer: "https://api.spoke-dc-v6.example:6443" },
      "platform-secrets:vault": { address: "https://vault.example:8200", egressCidrs: ["10.20.0.15/32"] },
      "platform-secrets:foundation": { adminGroups: [{ env: "dc", prefixes: ["apps", "ocp"] }] },
      "platform-secrets:eso": { egress: { namespaceDefaultDeny: true } },
      ...overrides,
    },
  };
}

export function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}

export function k8sNamed(resources: readonly RegisteredResource[], type: string, name: string, namespace?: string): RegisteredResource {
  const found = resources.filter((r) => {
    const m = (r.inputs as { metadata?: { name?: string; namespace?: string } }).metadata;
    return r.type === type && m?.name === name && (namespace === undefined || m?.namespace === namespace);
  });
  if (found.length !== 1) throw new Error(`expected one ${type} ${namespace ?? ""}/${name}, found ${found.length}`);
  return found[0]!;
}

/** A resource's inputs with secrets unwrapped. */
export function inputsOf<T>(r: RegisteredResource): T {
  return plain(r.inputs) as T;
}

export const T = {
  namespace: "kubernetes:core/v1:Namespace",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  saPatch: "kubernetes:core/v1:ServiceAccountPatch",
  secret: "kubernetes:core/v1:Secret",
  crb: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  es: "kubernetes:external-secrets.io/v1:ExternalSecret",
  ss: "kubernetes:external-secrets.io/v1:SecretStore",
  css: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
  ces: "kubernetes:external-secrets.io/v1:ClusterExternalSecret",
  mount: "vault:index/mount:Mount",
  policy: "vault:index/policy:Policy",
  authBackend: "vault:index/authBackend:AuthBackend",
  authConfig: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  role: "vault:kubernetes/authBackendRole:AuthBackendRole",
  kv: "vault:kv/secretV2:SecretV2",
  group: "vault:identity/group:Group",
  groupAlias: "vault:identity/groupAlias:GroupAlias",
  password: "random:index/randomPassword:RandomPassword",
  stackRef: "pulumi:pulumi:StackReference",
} as const;

/** Every entry under `dir`, without following links: what a removal or a write would change. */
export function snapshot(dir: string, skip?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (path === skip) continue;
      const st = lstatSync(path);
      const rel = relative(dir, path);
      if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(path)}`;
      else if (st.isDirectory()) {
        out[rel] = "dir";
        walk(path);
      } else out[rel] = `file:${readFileSync(path, "utf8")}`;
    }
  };
  walk(dir);
  return out;
}
