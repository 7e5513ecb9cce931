// One measurement in its own process: `tsx bench/worker.ts <program|pack|floor> <namespaces> <resources.json>`.
// program: runs the real program under the mock runtime and saves what it registered;
// pack: evaluates the policy pack over that record; floor: registers the same number of
// resources of the same types and inputs through bare Pulumi resources, with no logic of ours.
import { readFileSync, writeFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { runOffline, waitForRegistrations, type RegisteredResource } from "../preview/mock";
import { evaluatePack } from "../policy/evaluate";
import { benchCatalogue, benchStackValues } from "./catalogue";

type Ctor = new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => pulumi.Resource;

/** The SDK classes the program's resource types belong to: the floor pays what they cost, too. */
const CLASSES: Record<string, Ctor> = {
  "kubernetes:core/v1:Namespace": k8s.core.v1.Namespace,
  "kubernetes:core/v1:ServiceAccount": k8s.core.v1.ServiceAccount,
  "kubernetes:core/v1:ServiceAccountPatch": k8s.core.v1.ServiceAccountPatch,
  "kubernetes:core/v1:Secret": k8s.core.v1.Secret,
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "vault:index/mount:Mount": vault.Mount,
  "vault:index/policy:Policy": vault.Policy,
  "vault:index/authBackend:AuthBackend": vault.AuthBackend,
  "vault:kubernetes/authBackendConfig:AuthBackendConfig": vault.kubernetes.AuthBackendConfig,
  "vault:kubernetes/authBackendRole:AuthBackendRole": vault.kubernetes.AuthBackendRole,
  "vault:kv/secretV2:SecretV2": vault.kv.SecretV2,
  "vault:identity/group:Group": vault.identity.Group,
  "vault:identity/groupAlias:GroupAlias": vault.identity.GroupAlias,
  "random:index/randomPassword:RandomPassword": random.RandomPassword,
  "pulumi:providers:vault": vault.Provider,
  "pulumi:providers:kubernetes": k8s.Provider,
};

function bare(r: RegisteredResource, opts: pulumi.CustomResourceOptions): pulumi.Resource {
  if (!r.custom) return new pulumi.ComponentResource(r.type, r.name, {}, opts);
  if (r.type.startsWith("kubernetes:external-secrets.io/")) return new k8s.apiextensions.CustomResource(r.name, r.inputs as k8s.apiextensions.CustomResourceArgs, opts);
  const Class = CLASSES[r.type];
  if (!Class) throw new Error(`floor has no class for ${r.type}`);
  return new Class(r.name, r.inputs as never, opts);
}

async function floor(resources: RegisteredResource[]): Promise<void> {
  await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "platform-secrets", "bench", true);
  const byUrn = new Map<string, pulumi.Resource>();
  for (const r of resources.filter((x) => !x.read)) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    byUrn.set(r.urn, bare(r, parent ? { parent } : {}));
  }
  await waitForRegistrations();
}

const [mode, nArg, file] = process.argv.slice(2);
const namespaces = Number(nArg);
let resources: RegisteredResource[] = [];
let seconds: number;
if (mode === "program") {
  const t0 = performance.now();
  const run = await runOffline({ root: process.cwd(), stack: "bench", values: benchStackValues(), tenantsData: { tenants: benchCatalogue(namespaces) } });
  seconds = (performance.now() - t0) / 1000;
  resources = run.resources;
  writeFileSync(file!, JSON.stringify(resources));
} else {
  resources = JSON.parse(readFileSync(file!, "utf8")) as RegisteredResource[];
  const t0 = performance.now();
  if (mode === "pack") {
    const violations = await evaluatePack(resources);
    if (violations.length) throw new Error(`the bench stack violates the pack: ${violations[0]!.policy}: ${violations[0]!.message}`);
  } else if (mode === "floor") await floor(resources);
  else throw new Error(`unknown mode ${mode}`);
  seconds = (performance.now() - t0) / 1000;
}
const rssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ mode, namespaces, resources: resources.filter((r) => !r.read).length, seconds, rssMb })}\n`);
