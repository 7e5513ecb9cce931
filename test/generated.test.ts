// The JSON Schemas editors read and docs/configuration.md are generated from the zod schemas the
// program validates with (tools/docs). These checks keep them current, and keep the editor from
// flagging what the program accepts or missing what it refuses by shape.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../model/config";
import { parseCatalogue } from "../model/tenants";
import { generatedFiles, GENERATE_COMMAND, STACK_SCHEMA, TENANTS_SCHEMA } from "../tools/docs/generated";
import { ROOT } from "./helpers";

const files = generatedFiles();
const ajv = new Ajv({ allErrors: true });
const validateStack = ajv.compile(JSON.parse(files.get(STACK_SCHEMA)!));
const validateTenants = ajv.compile(JSON.parse(files.get(TENANTS_SCHEMA)!));
const STACK_FILES = readdirSync(join(ROOT, "stacks")).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

function errors(validate: typeof validateStack, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
}

/** A stack using every key the schema has, with values the program accepts. */
const EVERY_KEY = {
  cluster: { name: "spoke-x", apiServer: "https://api.spoke-x.example:6443", kubeContext: "spoke-x", apiServerCa: "configured", caCert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  vault: { address: "https://vault.example:8200", kvMount: "kv", audience: "vault", tokenTtlSeconds: 600, tokenMaxTtlSeconds: 1200, egressCidrs: ["10.0.0.1/32", "fd00::/64"], readReplica: "https://replica.example:8200" },
  foundation: { adminGroups: [{ env: "dc", oidcMountPath: "oidc", prefixes: ["apps", "ocp/spoke-x"] }] },
  auth: { path: "spoke-x-k8s", reviewer: "serviceaccount" },
  eso: {
    namespace: "external-secrets",
    serviceAccount: "external-secrets",
    apiVersion: "v1",
    refreshInterval: "30m",
    podSelector: { "app.kubernetes.io/name": "external-secrets" },
    dns: { namespace: "openshift-dns", ports: [53, 5353] },
    egress: { namespaceDefaultDeny: true, apiServer: { cidrs: ["10.0.0.2/32"], port: 6443 } },
  },
  pullSecrets: { quayPull: true, refreshTime: "1h" },
  ci: { quayHost: "quay.example:8443", emailDomain: "example.local" },
  secrets: [
    {
      name: "registry",
      secretName: "registry-auth",
      secretType: "registry",
      select: { matchLabels: { "apps.platform/division": "payments" }, matchExpressions: [{ key: "apps.platform/env", operator: "In", values: ["dev"] }] },
      source: { key: "ocp/<cluster>/registry", properties: { username: "user", password: "token" } },
      refreshInterval: "15m",
      format: { type: "dockerconfigjson", registry: "ghcr.io", email: "bot@example.local" },
    },
    { name: "argo", select: { namespaces: ["apps-payments-api-dev"] }, source: { key: "ocp/<cluster>/git" }, format: { type: "opaque", argocd: { secretType: "repo-creds", repoType: "git", url: "https://git.example/org" } } },
    { name: "kargo", source: { key: "ocp/<cluster>/git" }, format: { type: "opaque", kargo: { credType: "git", repoURL: "https://git.example/org/repo" } } },
    { name: "basic", source: { key: "ocp/<cluster>/nexus" }, format: { type: "basic-auth" } },
    { name: "cert", source: { key: "ocp/<cluster>/tls", properties: { cert: "crt", key: "key", ca: "ca" } }, format: { type: "tls" } },
    {
      name: "db",
      generate: { generator: "Password", rotation: "database-password", via: "pushsecret", key: "ocp/<cluster>/db", password: { length: 40, digits: 4, symbols: 2, symbolCharacters: "-_", noUpper: false, allowRepeat: true } },
      format: { type: "opaque" },
    },
  ],
  tenantsFile: "tenants.yaml",
  adopt: {
    all: true,
    vault: {
      mounts: ["kv"],
      authBackends: ["spoke-x-k8s"],
      policies: ["apps-payments-read"],
      roles: ["spoke-x-k8s/platform-spoke-x"],
      kvSecrets: ["kv/apps/payments/_canary"],
      groups: { "vault-admins-dc": "0b6a9a8e-8f0e-4a0e-9a53-2c8f7a3f3c11" },
      groupAliases: { "vault-admins-dc": "5d1f3c1e-2a4b-4c6d-8e0f-1a2b3c4d5e6f" },
    },
    kubernetes: ["Namespace/apps-payments-api-dev", "ServiceAccount/external-secrets/eso-vault-auth"],
  },
};

function asStackFile(values: Record<string, unknown>): unknown {
  return { config: Object.fromEntries(Object.entries(values).map(([k, v]) => [`platform-secrets:${k}`, v])) };
}

/** Every schema node that names keys, with the path to it. */
function keyedNodes(schema: unknown, path = ""): Array<{ path: string; description: unknown }> {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const own = Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>).flatMap(([k, v]) => [{ path: `${path}.${k}`, description: v.description }, ...keyedNodes(v, `${path}.${k}`)]);
  const nested = ["items", "additionalProperties"].flatMap((k) => keyedNodes(s[k], `${path}${k === "items" ? "[]" : ".*"}`));
  const variants = ((s.oneOf ?? []) as unknown[]).flatMap((v) => keyedNodes(v, path));
  return [...own, ...nested, ...variants];
}

describe("generated from the zod schemas", () => {
  it.each([...files.keys()])("%s is current", (path) => {
    const onDisk = readFileSync(join(ROOT, path), "utf8");
    expect(onDisk === files.get(path), `${path} is stale: run ${GENERATE_COMMAND} and commit the result`).toBe(true);
  });

  it("every key carries a description (the reference has no blank meaning)", () => {
    const blank = [...keyedNodes(JSON.parse(files.get(STACK_SCHEMA)!)), ...keyedNodes(JSON.parse(files.get(TENANTS_SCHEMA)!))].filter((n) => n.path !== ".config" && !/\.type$/.test(n.path) && !n.description);
    expect(blank.map((n) => n.path)).toEqual([]);
  });
});

describe("the editor's schemas agree with the program", () => {
  it.each(STACK_FILES)("stacks/%s names the stack schema and passes it", (file) => {
    const text = readFileSync(join(ROOT, "stacks", file), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=../${STACK_SCHEMA}`);
    expect(errors(validateStack, parse(text))).toEqual([]);
  });

  it("stacks/tenants.yaml names the tenant schema and passes it", () => {
    const text = readFileSync(join(ROOT, "stacks", "tenants.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=../${TENANTS_SCHEMA}`);
    expect(errors(validateTenants, parse(text))).toEqual([]);
  });

  it("a stack using every key passes both the program and the schema", () => {
    expect(() => parseStackConfig(EVERY_KEY, { file: "stacks/Pulumi.x.yaml" })).not.toThrow();
    expect(errors(validateStack, asStackFile(EVERY_KEY))).toEqual([]);
  });

  it("refuses what the program refuses by shape: unknown keys, wrong enums, missing required keys, bare keys", () => {
    const { vault: _vault, ...noVault } = EVERY_KEY;
    expect(errors(validateStack, asStackFile({ ...EVERY_KEY, tenantFile: "x.yaml" }))).toEqual(["/config must NOT have additional properties (platform-secrets:tenantFile)"]);
    expect(errors(validateStack, asStackFile({ ...EVERY_KEY, eso: { ...EVERY_KEY.eso, apiVersion: "v2" } }))).toEqual(["/config/platform-secrets:eso/apiVersion must be equal to one of the allowed values"]);
    expect(errors(validateStack, asStackFile(noVault))).toEqual(["/config must have required property 'platform-secrets:vault'"]);
    expect(errors(validateStack, { config: { tenantsFile: "tenants.yaml", "platform-secrets:vault": EVERY_KEY.vault } })).toEqual(["/config must NOT have additional properties (tenantsFile)"]);
    expect(errors(validateStack, { config: { "vault:token": "x", "kubernetes:context": "c", "platform-secrets:vault": EVERY_KEY.vault } })).toEqual([]);
  });

  it("the tenant schema refuses an unknown field and an empty environment list, as the program does", () => {
    const tenant = { division: "payments", app: "api", deployments: { "spoke-x": ["dev"] } };
    expect(() => parseCatalogue({ tenants: [tenant] }, { file: "stacks/tenants.yaml" })).not.toThrow();
    expect(errors(validateTenants, { tenants: [tenant] })).toEqual([]);
    expect(errors(validateTenants, { tenants: [{ ...tenant, owner: "x" }] })).toEqual(["/tenants/0 must NOT have additional properties (owner)"]);
    expect(errors(validateTenants, { tenants: [{ ...tenant, deployments: { "spoke-x": [] } }] })).toEqual(["/tenants/0/deployments/spoke-x must NOT have fewer than 1 items"]);
  });
});
