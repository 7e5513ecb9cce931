// The floor: a bare Pulumi program, started on cmd/run like the real one, that registers the
// resources the real program registered (read from $BENCH_RESOURCES) with the same types,
// names, inputs and parents through the same SDK classes, and none of the program's logic.
import { readFileSync } from "node:fs";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { plain, type RegisteredResource } from "../preview/record";

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
  const inputs = plain(r.inputs);
  if (r.type.startsWith("kubernetes:external-secrets.io/")) return new k8s.apiextensions.CustomResource(r.name, inputs as k8s.apiextensions.CustomResourceArgs, opts);
  const Class = CLASSES[r.type];
  if (!Class) throw new Error(`floor has no class for ${r.type}`);
  return new Class(r.name, inputs as never, opts);
}

export default function floor(): void {
  const resources = JSON.parse(readFileSync(process.env.BENCH_RESOURCES!, "utf8")) as RegisteredResource[];
  const byUrn = new Map<string, pulumi.Resource>();
  // The engine makes the root stack and default providers itself; reads are not registrations.
  for (const r of resources.filter((x) => !x.read && x.type !== "pulumi:pulumi:Stack" && !/::pulumi:providers:\w+::default/.test(x.urn))) {
    const parent = r.parent ? byUrn.get(r.parent) : undefined;
    byUrn.set(r.urn, bare(r, parent ? { parent } : {}));
  }
}
