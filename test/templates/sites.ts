// Every template the program emits, found in what the offline preview registered: the
// ExternalSecrets, the ExternalSecret spec of each ClusterExternalSecret, and PushSecrets. For
// each, the keys its data/dataFrom fetch, which is the data ESO hands the template.
import type { LoadedStack } from "../../model/load";
import { plain, type RegisteredResource } from "../../preview/record";
import type { EsoTemplate } from "./engine";

export interface TemplateSite {
  stack: string;
  /** `<Kind> <namespace>/<name>` of the object carrying the template. */
  object: string;
  /** The Secret ESO writes (a ClusterExternalSecret writes it in every selected namespace). */
  secretName: string;
  /** Undefined for a ClusterExternalSecret: the Secret lands in many namespaces. */
  namespace?: string;
  template: EsoTemplate | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** The keys the template sees, or why the suite cannot tell (which fails the test). */
  fetched: { keys: string[] } | { unknown: string };
}

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** The Kubernetes objects a preview registered, as the manifests the preview writes. */
export function kubeObjects(resources: readonly RegisteredResource[]): KubeObject[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.read)
    .map((r) => plain(r.inputs) as unknown as KubeObject)
    .filter((o) => typeof o.kind === "string" && isObject(o.metadata));
}

const GENERATOR_KEYS: Record<string, (spec: Record<string, unknown>) => string[]> = {
  // ESO v2.9.0 generators/v1/password: spec.secretKeys, or one key `password`.
  Password: (spec) => (Array.isArray(spec.secretKeys) && spec.secretKeys.length > 0 ? (spec.secretKeys as string[]) : ["password"]),
  // generators/v1/uuid: one key `uuid`.
  UUID: () => ["uuid"],
  // generators/v1alpha1 ClusterGenerator: spec.kind names the generator, spec.generator.<kind>Spec
  // holds its spec; ESO runs that generator, so the keys are the inner kind's.
  ClusterGenerator: (spec) => {
    const kind = typeof spec.kind === "string" ? spec.kind : "";
    const inner = GENERATOR_KEYS[kind === "ClusterGenerator" ? "" : kind];
    const generator = isObject(spec.generator) ? spec.generator : {};
    const innerSpec = generator[`${kind.charAt(0).toLowerCase()}${kind.slice(1)}Spec`];
    if (!inner || !isObject(innerSpec)) throw new Error(`ClusterGenerator of kind ${JSON.stringify(kind)}: the suite does not know which keys it produces (test/templates/sites.ts GENERATOR_KEYS)`);
    return inner(innerSpec);
  },
};

function generatorKeys(ref: unknown, objects: readonly KubeObject[]): { keys: string[] } | { unknown: string } {
  if (!isObject(ref) || typeof ref.kind !== "string" || typeof ref.name !== "string") return { unknown: `generatorRef ${JSON.stringify(ref)} names no kind and name` };
  const keysOf = GENERATOR_KEYS[ref.kind];
  if (!keysOf) return { unknown: `generator kind ${ref.kind}: the suite does not know which keys it produces (test/templates/sites.ts GENERATOR_KEYS)` };
  const gen = objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
  if (!gen) return { unknown: `generatorRef ${ref.kind}/${ref.name}: no such generator among the rendered objects` };
  try {
    return { keys: keysOf(gen.spec ?? {}) };
  } catch (err) {
    return { unknown: (err as Error).message };
  }
}

/** What `data` and `dataFrom` of an ExternalSecret spec put in the template's data. */
export function fetchedKeys(spec: Record<string, unknown>, objects: readonly KubeObject[]): { keys: string[] } | { unknown: string } {
  const keys: string[] = [];
  for (const d of (spec.data as unknown[] | undefined) ?? []) {
    if (!isObject(d) || typeof d.secretKey !== "string") return { unknown: `data entry ${JSON.stringify(d)} has no secretKey` };
    keys.push(d.secretKey);
  }
  for (const d of (spec.dataFrom as unknown[] | undefined) ?? []) {
    if (!isObject(d)) return { unknown: `dataFrom entry ${JSON.stringify(d)}` };
    if (d.rewrite !== undefined) return { unknown: "dataFrom.rewrite: the suite does not model key rewriting" };
    const gen = isObject(d.sourceRef) ? d.sourceRef.generatorRef : undefined;
    if (gen === undefined) return { unknown: `dataFrom ${Object.keys(d).join("/")}: its keys are whatever the remote secret holds; the suite cannot pick sample keys` };
    const g = generatorKeys(gen, objects);
    if ("unknown" in g) return g;
    keys.push(...g.keys);
  }
  if (keys.length === 0) return { unknown: "fetches nothing (no data, no dataFrom)" };
  return { keys: [...new Set(keys)] };
}

function externalSecretSite(stack: string, object: string, name: string, namespace: string | undefined, meta: KubeObject["metadata"], spec: Record<string, unknown>, objects: readonly KubeObject[]): TemplateSite {
  const target = isObject(spec.target) ? spec.target : {};
  return {
    stack,
    object,
    secretName: typeof target.name === "string" ? target.name : name,
    ...(namespace ? { namespace } : {}),
    template: isObject(target.template) ? (target.template as EsoTemplate) : null,
    ...(meta.labels ? { labels: meta.labels } : {}),
    ...(meta.annotations ? { annotations: meta.annotations } : {}),
    fetched: fetchedKeys(spec, objects),
  };
}

function pushSecretSite(stack: string, object: string, o: KubeObject, spec: Record<string, unknown>, objects: readonly KubeObject[]): TemplateSite {
  const selector = isObject(spec.selector) ? spec.selector : {};
  const fetched: TemplateSite["fetched"] =
    selector.generatorRef !== undefined
      ? generatorKeys(selector.generatorRef, objects)
      : { unknown: `PushSecret source ${JSON.stringify(selector)}: the suite knows the keys of generator sources only` };
  return {
    stack,
    object,
    secretName: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    template: isObject(spec.template) ? (spec.template as EsoTemplate) : null,
    fetched,
  };
}

/** Every object that carries an ESO template, whatever its shape; other ESO kinds carry none. */
export function templateSites(stack: string, resources: readonly RegisteredResource[]): TemplateSite[] {
  const objects = kubeObjects(resources);
  const sites: TemplateSite[] = [];
  for (const o of objects) {
    if (!o.apiVersion.startsWith("external-secrets.io/")) continue;
    const id = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
    const spec = o.spec ?? {};
    switch (o.kind) {
      case "ExternalSecret":
        sites.push(externalSecretSite(stack, id, o.metadata.name, o.metadata.namespace, o.metadata, spec, objects));
        break;
      case "ClusterExternalSecret": {
        const es = isObject(spec.externalSecretSpec) ? spec.externalSecretSpec : {};
        const meta = isObject(spec.externalSecretMetadata) ? (spec.externalSecretMetadata as KubeObject["metadata"]) : { name: o.metadata.name };
        const name = typeof spec.externalSecretName === "string" ? spec.externalSecretName : o.metadata.name;
        sites.push(externalSecretSite(stack, id, name, undefined, meta, es, objects));
        break;
      }
      case "PushSecret":
        sites.push(pushSecretSite(stack, id, o, spec, objects));
        break;
      case "ClusterPushSecret": {
        const ps = isObject(spec.pushSecretSpec) ? spec.pushSecretSpec : {};
        sites.push(pushSecretSite(stack, id, o, ps, objects));
        break;
      }
    }
  }
  return sites;
}

/**
 * The registry host each dockerconfigjson Secret must name, from the stack's config (never
 * from the template under test), keyed `<namespace>/<secret>`. A Secret composed from a
 * username and token that is missing here fails the suite: add where its host is configured.
 */
export function configuredRegistryHosts(loaded: LoadedStack): Map<string, string> {
  const hosts = new Map<string, string>();
  const cluster = loaded.config.cluster;
  for (const ci of loaded.plan.cluster?.pipelines?.ciSecrets ?? []) {
    const target = (ci.manifest.spec.target as { name: string }).name;
    hosts.set(`${ci.manifest.metadata.namespace}/${target}`, cluster!.ci.quayHost);
  }
  // Catalogue entries composed for a registry (format.registry), fanned out by a
  // ClusterExternalSecret into every namespace it selects.
  for (const entry of cluster?.catalogue ?? []) {
    if (entry.format.type === "dockerconfigjson" && "registry" in entry.format && entry.format.registry) hosts.set(`*/${entry.secretName}`, entry.format.registry);
  }
  return hosts;
}
