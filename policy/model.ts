// What a stack grants, read from its resources whatever they are called: namespaces with
// their effective labels, every source of Vault policy text, every way a principal gets
// policies, and the Vault paths and Kubernetes objects each resource manages.
import * as naming from "../model/naming";
import type { PolicyRule } from "../model/vaultPolicy";
import { parseHcl } from "./hcl";
import { esoKind, metaOf, specOf, TYPES, type ResourceView, type RoleProps, type SecretStoreSpec } from "./shapes";

export interface TenantInfo {
  namespace: string;
  division?: string;
  app?: string;
  team?: string;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  urn: string;
}

export interface PolicySource {
  name: string;
  text: string;
  urn: string;
  /** what wrote it: `vault.Policy` or the generic path */
  via: string;
}

/** A kubernetes auth role, from `vault.kubernetes.AuthBackendRole` or a raw write to `auth/<mount>/role/<name>`. */
export interface KubernetesRole {
  mount: string;
  role: string;
  names: string[];
  namespaces: string[];
  namespaceSelector?: string;
  audience?: string;
  policies: string[];
  urn: string;
  via: string;
}

/** Anything else that hands out policies: other auth methods' roles, identity groups and entities, token roles, tokens. */
export interface OtherGrant {
  /** how a message names the principal */
  principal: string;
  /** an identity group named vault-admins-<env> */
  adminEnv?: string;
  policies: string[];
  urn: string;
}

export interface StackModel {
  namespaces: Map<string, NamespaceInfo>;
  /** namespaces labelled apps.platform/tenant=true, after every NamespacePatch */
  tenants: Map<string, TenantInfo>;
  policies: PolicySource[];
  kubernetesRoles: KubernetesRole[];
  otherGrants: OtherGrant[];
  /** auth mount paths the stack enables */
  authMounts: Set<string>;
  /** policy names the foundation stack exports (known by name only) */
  foundationPolicies: Set<string>;
  foundationKvMount?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A raw write's body: `dataJson` (a JSON string while known) as an object. */
export function genericData(r: ResourceView): Record<string, unknown> | undefined {
  const raw = r.props.dataJson;
  if (typeof raw !== "string") return undefined;
  try {
    const data = JSON.parse(raw) as unknown;
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const isGeneric = (r: ResourceView) => r.type === TYPES.endpoint || r.type === TYPES.genericSecret;

/** Vault accepts the policy API under both spellings; the body is `policy` (or `rules` on the old one). */
export const POLICY_PATH = /^\/?sys\/(?:policies\/acl|policy)\/([^/]+)$/;
const ROLE_PATH = /^\/?auth\/(.+)\/role\/([^/]+)$/;
const TOKEN_ROLE_PATH = /^\/?auth\/token\/roles\/([^/]+)$/;
const USER_OR_GROUP_PATH = /^\/?auth\/(.+)\/(users|groups|map\/teams|map\/users)\/([^/]+)$/;

/** Policy names a raw auth write hands out, under any of Vault's field names. */
function policyFields(data: Record<string, unknown>): string[] {
  const list = (v: unknown) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : strs(v));
  return [...list(data.token_policies), ...list(data.policies), ...list(data.allowed_policies)];
}

/** Fields of the provider's typed resources that hand out policies. */
const POLICY_PROPS = ["tokenPolicies", "policies", "allowedPolicies"] as const;

function grantedPolicies(r: ResourceView): string[] | undefined {
  if (!r.type.startsWith("vault:") || r.type === TYPES.policy) return undefined;
  const present = POLICY_PROPS.filter((k) => Array.isArray(r.props[k]));
  return present.length ? present.flatMap((k) => strs(r.props[k])) : undefined;
}

function describe(r: ResourceView): string {
  const [, mod = "", cls = ""] = /^vault:([^/]+)\/[^:]+:(.+)$/.exec(r.type) ?? [];
  const label = `${mod === "index" ? "" : `${mod}.`}${cls}`;
  const id = str(r.props.roleName) ?? str(r.props.name) ?? str(r.props.groupName) ?? str(r.props.username) ?? str(r.props.user) ?? str(r.props.team) ?? r.name;
  const mount = str(r.props.backend) ?? str(r.props.path);
  return `${label} ${mount ? `${mount}/` : ""}${id}`;
}

/** The policy text a resource writes, whichever way: `vault.Policy` or a raw write to the policy API. */
export function policySourceOf(r: ResourceView): PolicySource | undefined {
  if (r.type === TYPES.policy) {
    return typeof r.props.name === "string" && typeof r.props.policy === "string" ? { name: r.props.name, text: r.props.policy, urn: r.urn, via: "vault.Policy" } : undefined;
  }
  if (!isGeneric(r)) return undefined;
  const path = str(r.props.path) ?? "";
  const m = POLICY_PATH.exec(path);
  const data = genericData(r);
  const text = data ? (str(data.policy) ?? str(data.rules)) : undefined;
  return m && text !== undefined ? { name: m[1]!, text, urn: r.urn, via: `a write to ${path}` } : undefined;
}

export function buildModel(resources: readonly ResourceView[]): StackModel {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const r of resources.filter((x) => x.type === TYPES.namespace)) {
    const m = metaOf(r);
    if (m.name) namespaces.set(m.name, { name: m.name, labels: { ...(m.labels ?? {}) }, urn: r.urn });
  }
  // A patch changes the labels the cluster ends up with, so it changes who is a tenant.
  for (const r of resources.filter((x) => x.type === TYPES.namespacePatch)) {
    const m = metaOf(r);
    if (!m.name) continue;
    const ns = namespaces.get(m.name) ?? { name: m.name, labels: {}, urn: r.urn };
    Object.assign(ns.labels, m.labels ?? {});
    namespaces.set(m.name, ns);
  }
  const tenants = new Map<string, TenantInfo>();
  for (const ns of namespaces.values()) {
    if (ns.labels[naming.TENANT_LABEL] !== naming.TENANT_LABEL_VALUE) continue;
    const l = ns.labels;
    tenants.set(ns.name, {
      namespace: ns.name,
      ...(l[naming.DIVISION_LABEL] ? { division: l[naming.DIVISION_LABEL] } : {}),
      ...(l[naming.APP_LABEL] ? { app: l[naming.APP_LABEL] } : {}),
      ...(l[naming.TEAM_LABEL] ? { team: l[naming.TEAM_LABEL] } : {}),
    });
  }

  const policies: PolicySource[] = [];
  const kubernetesRoles: KubernetesRole[] = [];
  const otherGrants: OtherGrant[] = [];
  const authMounts = new Set<string>();
  for (const r of resources) {
    const source = policySourceOf(r);
    if (source) {
      policies.push(source);
    } else if (r.type === TYPES.authBackend && typeof r.props.path === "string") {
      authMounts.add(r.props.path.replace(/\/$/, ""));
    } else if (r.type === TYPES.role) {
      const p = r.props as RoleProps & { policies?: string[] };
      kubernetesRoles.push({
        mount: p.backend ?? "kubernetes",
        role: p.roleName ?? r.name,
        names: strs(p.boundServiceAccountNames),
        namespaces: strs(p.boundServiceAccountNamespaces),
        ...(p.boundServiceAccountNamespaceSelector ? { namespaceSelector: p.boundServiceAccountNamespaceSelector } : {}),
        ...(p.audience ? { audience: p.audience } : {}),
        policies: [...strs(p.tokenPolicies), ...strs(p.policies)],
        urn: r.urn,
        via: "vault.kubernetes.AuthBackendRole",
      });
    } else if (isGeneric(r)) {
      const path = str(r.props.path) ?? "";
      const data = genericData(r) ?? {};
      const policy = POLICY_PATH.exec(path);
      const role = ROLE_PATH.exec(path);
      const tokenRole = TOKEN_ROLE_PATH.exec(path);
      const auth = /^\/?sys\/auth\/(.+?)\/?$/.exec(path);
      if (policy) {
        continue;
      } else if (auth) {
        authMounts.add(auth[1]!);
      } else if (tokenRole) {
        otherGrants.push({ principal: `token role ${tokenRole[1]} (written to ${path})`, policies: policyFields(data), urn: r.urn });
      } else if (role && ("bound_service_account_names" in data || "bound_service_account_namespaces" in data)) {
        kubernetesRoles.push({
          mount: role[1]!,
          role: role[2]!,
          names: strs(data.bound_service_account_names),
          namespaces: strs(data.bound_service_account_namespaces),
          ...(str(data.bound_service_account_namespace_selector) ? { namespaceSelector: str(data.bound_service_account_namespace_selector)! } : {}),
          ...(str(data.audience) ? { audience: str(data.audience)! } : {}),
          policies: policyFields(data),
          urn: r.urn,
          via: `a write to ${path}`,
        });
      } else if (role || USER_OR_GROUP_PATH.test(path)) {
        otherGrants.push({ principal: `${path} (raw write)`, policies: policyFields(data), urn: r.urn });
      }
    } else {
      const granted = grantedPolicies(r);
      if (granted) {
        const env = r.type === TYPES.identityGroup ? inverseAdminGroup(str(r.props.name)) : undefined;
        otherGrants.push({ principal: describe(r), ...(env ? { adminEnv: env } : {}), policies: granted, urn: r.urn });
      }
    }
  }
  const refs = resources.filter((r) => r.type === TYPES.foundationReference);
  const kv = refs.map((r) => str(r.props.kvMount)).find((k) => k);
  return {
    namespaces,
    tenants,
    policies,
    kubernetesRoles,
    otherGrants,
    authMounts,
    foundationPolicies: new Set(refs.flatMap((r) => strs(r.props.policies))),
    ...(kv ? { foundationKvMount: kv } : {}),
  };
}

function inverseAdminGroup(name: string | undefined): string | undefined {
  const prefix = naming.adminGroup("");
  return name?.startsWith(prefix) && naming.isDns1123Label(name.slice(prefix.length)) ? name.slice(prefix.length) : undefined;
}

// Parsing is async (HashiCorp's parser in wasm) and several rules read each text: once per text.
const parsed = new Map<string, Promise<PolicyRule[]>>();

export function parsePolicy(source: PolicySource): Promise<PolicyRule[]> {
  if (!parsed.has(source.text)) parsed.set(source.text, parseHcl(source.text, `${source.name}.hcl`));
  return parsed.get(source.text)!;
}

/** The ESO ServiceAccount the platform store logs in as, per ClusterSecretStore named vault-platform. */
export function platformServiceAccounts(resources: readonly ResourceView[]): Array<{ namespace: string; name: string }> {
  return resources
    .filter((r) => esoKind(r.type) === "ClusterSecretStore" && metaOf(r).name === naming.PLATFORM_STORE)
    .map((r) => specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef)
    .filter((ref): ref is { name: string; namespace: string } => typeof ref?.name === "string" && typeof ref.namespace === "string")
    .map((ref) => ({ namespace: ref.namespace, name: ref.name }));
}

/**
 * ServiceAccounts of the namespaced stores that PushSecrets write through in ESO's own namespace
 * (where the platform store's ServiceAccount lives): the only principals allowed to write
 * platform keys. A store a PushSecret uses anywhere else gets no such allowance.
 */
export function pushServiceAccounts(resources: readonly ResourceView[]): Array<{ namespace: string; name: string }> {
  const esoNamespaces = new Set(platformServiceAccounts(resources).map((s) => s.namespace));
  const pushed = new Set(
    resources
      .filter((r) => esoKind(r.type) === "PushSecret" && esoNamespaces.has(metaOf(r).namespace ?? ""))
      .flatMap((r) => (specOf<{ secretStoreRefs?: Array<{ kind?: string; name?: string }> }>(r).secretStoreRefs ?? []).filter((s) => (s.kind ?? "SecretStore") === "SecretStore" && s.name).map((s) => `${metaOf(r).namespace}/${s.name}`)),
  );
  return resources
    .filter((r) => esoKind(r.type) === "SecretStore" && pushed.has(`${metaOf(r).namespace}/${metaOf(r).name}`))
    .map((r) => ({ namespace: metaOf(r).namespace!, name: specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef?.name }))
    .filter((s): s is { namespace: string; name: string } => typeof s.name === "string");
}
