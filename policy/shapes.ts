// The resource view the rules work on, and the parts of resource inputs they read. Every
// field is optional: during a real preview some values are unknown, and a rule must judge
// what it can see rather than crash on what it cannot.

export interface ResourceView {
  type: string;
  urn: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
  /**
   * URNs of the resources each input property was computed from (stack policies only). An
   * Output-valued reference such as `groupId: group.id` is unknown in a first preview, and
   * ids are not among a resource's properties at all: this is how the pack links it anyway.
   */
  propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export type Report = (message: string, urn?: string) => void;

export const TYPES = {
  namespace: "kubernetes:core/v1:Namespace",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  secret: "kubernetes:core/v1:Secret",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  mount: "vault:index/mount:Mount",
  policy: "vault:index/policy:Policy",
  authBackend: "vault:index/authBackend:AuthBackend",
  role: "vault:kubernetes/authBackendRole:AuthBackendRole",
  foundationReference: "platform-secrets:vault:FoundationReference",
  namespacePatch: "kubernetes:core/v1:NamespacePatch",
  secretPatch: "kubernetes:core/v1:SecretPatch",
  endpoint: "vault:generic/endpoint:Endpoint",
  genericSecret: "vault:generic/secret:Secret",
  identityGroup: "vault:identity/group:Group",
  token: "vault:index/token:Token",
  clusterBridge: "platform-secrets:cluster:ClusterSecretBridge",
} as const;

/**
 * A Kubernetes resource's API group and kind, whatever type token registered it: the SDK's
 * classes say `core/v1`, a `CustomResource` or a YAML document with `apiVersion: v1` says `v1`,
 * and every served version of a group is the same object to the API server.
 */
export interface KubernetesType {
  /** "" for the core group */
  group: string;
  version: string;
  kind: string;
}

export function kubernetesType(type: string): KubernetesType | undefined {
  const m = /^kubernetes:(?:([^:/]+)\/)?([^:/]+):(\w+)$/.exec(type);
  if (!m) return undefined;
  return { group: m[1] === undefined || m[1] === "core" ? "" : m[1], version: m[2]!, kind: m[3]! };
}

/** The kind of a core (`v1`) Kubernetes resource, or of one in `group`, else undefined. */
export function kindIn(r: ResourceView, group = ""): string | undefined {
  const t = kubernetesType(r.type);
  return t && t.group === group ? t.kind : undefined;
}

export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** Thrown by @pulumi/policy's proxy when a rule reads a value a preview does not know yet. */
function isUnknownValueError(err: unknown): boolean {
  return err instanceof Error && "unknownTypeSentinel" in err;
}

export const UNKNOWN = Symbol("unknown during preview");

/**
 * Reads a value that may be unknown during a preview (an output of another resource): the
 * value, or UNKNOWN. A stack rule that let the proxy's error escape would not run at all;
 * reading through this lets it judge the rest and fail closed on what it cannot see.
 */
export function known<T>(read: () => T): T | typeof UNKNOWN {
  try {
    return read();
  } catch (err) {
    if (isUnknownValueError(err)) return UNKNOWN;
    throw err;
  }
}

/** ESO kinds under either served API version. */
export function esoKind(type: string): string | undefined {
  const m = /^kubernetes:external-secrets\.io\/v1(?:alpha1|beta1)?:(\w+)$/.exec(type);
  return m?.[1];
}

export interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

import type { LabelSelector } from "../model/labelSelector";
export type { LabelSelector };

export interface StoreRef {
  kind?: string;
  name?: string;
}

export interface ExternalSecretSpec {
  refreshInterval?: string;
  secretStoreRef?: StoreRef;
  target?: { name?: string; creationPolicy?: string };
  data?: Array<{ secretKey?: string; remoteRef?: { key?: string; property?: string } }>;
  dataFrom?: unknown[];
}

export interface VaultStoreProvider {
  server?: string;
  path?: string;
  version?: string;
  auth?: { kubernetes?: { mountPath?: string; role?: string; serviceAccountRef?: { name?: string; namespace?: string; audiences?: string[] } } };
}

export interface SecretStoreSpec {
  provider?: { vault?: VaultStoreProvider } & Record<string, unknown>;
  conditions?: Array<{ namespaceSelector?: LabelSelector; namespaces?: string[]; namespaceRegexes?: string[] }>;
}

export interface ClusterExternalSecretSpec {
  externalSecretName?: string;
  namespaceSelector?: LabelSelector;
  namespaceSelectors?: LabelSelector[];
  namespaces?: string[];
  refreshTime?: string;
  externalSecretSpec?: ExternalSecretSpec;
}

export interface RoleProps {
  backend?: string;
  roleName?: string;
  boundServiceAccountNames?: string[];
  boundServiceAccountNamespaces?: string[];
  boundServiceAccountNamespaceSelector?: string;
  audience?: string;
  aliasNameSource?: string;
  tokenPolicies?: string[];
  tokenTtl?: number;
  tokenMaxTtl?: number;
}

/**
 * Kubernetes object metadata. Other types may have a `metadata` of their own (vault identity
 * groups do), which a provider can leave unknown in a preview: it is never read as Kubernetes'.
 */
export function metaOf(r: ResourceView): Meta {
  if (!r.type.startsWith("kubernetes:")) return {};
  return (r.props.metadata ?? {}) as Meta;
}

export function specOf<T>(r: ResourceView): T {
  return (r.props.spec ?? {}) as T;
}

/**
 * Whether a resource was created inside one of the program's own components: its URN's type
 * chain (`parent$child`) passes through a `platform-secrets:` type. Used only to say which of
 * two colliding resources is the newcomer, never to decide whether something is allowed.
 */
export function madeByProgram(urn: string): boolean {
  const chain = urn.split("::")[2]?.split("$") ?? [];
  return chain.slice(0, -1).some((t) => t.startsWith("platform-secrets:"));
}

/** Of resources that collide, the ones to report: those the program did not create, else all but the first. */
export function intruders<T extends { urn: string }>(colliding: readonly T[]): T[] {
  const added = colliding.filter((r) => !madeByProgram(r.urn));
  return added.length > 0 && added.length < colliding.length ? added : colliding.slice(1);
}

/** `ns/name` (or `name`) for messages. */
export function objectName(r: ResourceView): string {
  const m = metaOf(r);
  return m.namespace ? `${m.namespace}/${m.name ?? r.name}` : (m.name ?? r.name);
}

/** Every namespace selector of a ClusterExternalSecret, the deprecated singular one included. */
export function cesSelectors(spec: ClusterExternalSecretSpec): LabelSelector[] {
  return [...(spec.namespaceSelectors ?? []), ...(spec.namespaceSelector ? [spec.namespaceSelector] : [])];
}
