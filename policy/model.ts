// What a stack grants, read from its resources whatever they are called and whatever type
// registered them: namespaces with their effective labels, every source of Vault policy text,
// every way a principal gets policies (auth roles of every method, users and groups, token
// roles, tokens, identity groups with their aliases and members, entities), and which clusters
// and foundation the stack belongs to.
import * as naming from "../model/naming";
import type { PolicyRule } from "../model/vaultPolicy";
import { parseHcl } from "./hcl";
import { esoKind, kindIn, known, metaOf, specOf, TYPES, UNKNOWN, type ResourceView, type RoleProps, type SecretStoreSpec } from "./shapes";
import { classifyRawPath, policyName, rawPolicyFields, type RawWrite } from "./vaultPaths";

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
  /** as Vault stores it: trimmed and lower-cased */
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
  /** token_no_default_policy: its tokens lack Vault's built-in `default` policy */
  noDefaultPolicy?: boolean;
  urn: string;
  via: string;
}

/** How a principal's tokens are obtained through an auth method (or a token role). */
export interface AuthLogin {
  /**
   * The method's type: the mount's as the stack enables it, else the mount path when that is a
   * method's name (Vault's default path), else `unknown`. A jwt/oidc role is `jwt` or `oidc` by its role_type.
   */
  method: string;
  mount: string;
  /** what the login names: a role, a user or a group (a GitHub team) of the method */
  what: "role" | "user" | "group";
  name: string;
}

/** Anything else that hands out policies: other auth methods' roles, users and groups, token roles, tokens, identity groups and entities. */
export interface OtherGrant {
  /** how a message names the principal */
  principal: string;
  /** an identity group named vault-admins-<env> */
  adminEnv?: string;
  policies: string[];
  /** token roles: `allowed_policies_glob`, matched against every policy name the pack knows */
  policyGlobs?: string[];
  /** identity groups are judged through `identityGroups`, which knows their members */
  kind: "auth" | "token-role" | "token" | "identity-group" | "identity-entity";
  /** auth roles, users and groups, and token roles: how their tokens are obtained */
  login?: AuthLogin;
  /** the role or token sets token_no_default_policy (no_default_policy on a token) */
  noDefaultPolicy?: boolean;
  urn: string;
}

/** How principals become members of an identity group. */
export interface GroupMembership {
  kind: "alias" | "entities" | "subgroup";
  /** alias: the identity provider's group name; subgroup: the member group's key */
  name: string;
  /** the resource that adds this membership: the intruder when it should not be there */
  urn: string;
}

export interface IdentityGroup {
  /** the URN of the resource that defines it (a group written raw is keyed by name) */
  key: string;
  name?: string;
  type: "internal" | "external";
  adminEnv?: string;
  /** its own policies and those `GroupPolicies` attach */
  policies: Array<{ name: string; urn: string }>;
  members: GroupMembership[];
  urn: string;
}

/** A reference to an identity object the pack could not tie to one of the stack's: it cannot judge what it grants. */
export interface UnresolvedIdentity {
  urn: string;
  what: string;
}

export interface StackModel {
  namespaces: Map<string, NamespaceInfo>;
  /** namespaces labelled apps.platform/tenant=true, after every NamespacePatch */
  tenants: Map<string, TenantInfo>;
  policies: PolicySource[];
  kubernetesRoles: KubernetesRole[];
  otherGrants: OtherGrant[];
  identityGroups: IdentityGroup[];
  unresolvedIdentity: UnresolvedIdentity[];
  /** auth mount paths the stack enables */
  authMounts: Set<string>;
  /** auth mount path -> method type, for the mounts the stack enables */
  authMethods: Map<string, string>;
  /** policy names the foundation stack exports (known by name only) */
  foundationPolicies: Set<string>;
  foundationKvMount?: string;
  /** the foundation stack this stack reads, when it does not own its foundation */
  foundationStack?: string;
  /** the clusters (and their kubernetes auth mounts) the program's ClusterSecretBridge says this stack manages */
  clusters: Array<{ cluster: string; authPath?: string; urn: string }>;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const policyNames = (v: unknown): string[] => strs(v).map(policyName).filter(Boolean);

/** A raw write's body: `dataJson` (a JSON string while known) as an object. */
export function genericData(r: ResourceView): Record<string, unknown> | undefined {
  const raw = known(() => r.props.dataJson);
  if (typeof raw !== "string") return undefined;
  try {
    const data = JSON.parse(raw) as unknown;
    return data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const isGeneric = (r: ResourceView) => r.type === TYPES.endpoint || r.type === TYPES.genericSecret;

/** The path a raw write targets, when known. */
export function genericPath(r: ResourceView): string | undefined {
  const p = known(() => r.props.path);
  return typeof p === "string" ? p : undefined;
}

/** What a raw write does (see vaultPaths.ts); `other` when its path is not known yet. */
export function rawWriteOf(r: ResourceView, kvMount: string): RawWrite {
  const path = genericPath(r);
  return path === undefined ? { kind: "other" } : classifyRawPath(path, kvMount);
}

/** Vault accepts the policy API under both spellings; the body is `policy` (or `rules` on the old one). */
export const POLICY_PATH = /^\/?sys\/(?:policies\/acl|policy)\/([^/]+)$/;

/** Fields of the provider's typed resources that hand out policies. */
const POLICY_PROPS = ["tokenPolicies", "policies", "allowedPolicies"] as const;

function grantedPolicies(r: ResourceView): string[] | undefined {
  if (!r.type.startsWith("vault:") || r.type === TYPES.policy) return undefined;
  const present = POLICY_PROPS.filter((k) => Array.isArray(known(() => r.props[k])));
  // Okta's backend carries groups and users inline, each with its own policies.
  const inline = ["groups", "users"].flatMap((k) => {
    const items = known(() => r.props[k]);
    return Array.isArray(items) ? items.flatMap((i) => policyNames((i as { policies?: unknown })?.policies)) : [];
  });
  const globbed = Array.isArray(known(() => r.props.allowedPoliciesGlobs));
  if (!present.length && !inline.length && !globbed) return undefined;
  return [...present.flatMap((k) => policyNames(r.props[k])), ...inline];
}

function describe(r: ResourceView): string {
  const [, mod = "", cls = ""] = /^vault:([^/]+)\/[^:]+:(.+)$/.exec(r.type) ?? [];
  const label = `${mod === "index" ? "" : `${mod}.`}${cls}`;
  const prop = (k: string) => str(known(() => r.props[k]));
  const id = prop("roleName") ?? prop("name") ?? prop("groupName") ?? prop("groupname") ?? prop("username") ?? prop("user") ?? prop("team") ?? r.name;
  const mount = prop("backend") ?? prop("path");
  return `${label} ${mount ? `${mount}/` : ""}${id}`;
}

/** Auth methods by name: a mount at such a path, enabled outside the stack, is taken to be that method (Vault's default path). */
const METHODS = new Set(["approle", "userpass", "ldap", "okta", "jwt", "oidc", "kubernetes", "github", "aws", "gcp", "azure", "cert", "radius", "kerberos", "alicloud", "oci", "cf", "saml"]);

function methodOf(mount: string, methods: ReadonlyMap<string, string>): string {
  return methods.get(mount) ?? (METHODS.has(mount) ? mount : "unknown");
}

/** A jwt/oidc role logs in with a JWT (`jwt`) or through the browser flow (`oidc`, Vault's default role_type). */
const jwtFlavour = (method: string, roleType: unknown) => (method === "jwt" || method === "oidc" ? (roleType === "jwt" ? "jwt" : "oidc") : method);

/** A typed auth resource's login: its method from the type token, its mount, what it names. */
function typedLogin(r: ResourceView): AuthLogin | undefined {
  const m = /^vault:([^/]+)\/[^:]+:(.+)$/.exec(r.type);
  if (!m) return undefined;
  const [, mod, cls] = m as unknown as [string, string, string];
  const base = mod === "index" && cls === "CertAuthBackendRole" ? "cert" : ["index", "identity", "generic", "tokenauth", "kubernetes"].includes(mod) ? undefined : mod.toLowerCase();
  if (!base || cls === "AuthBackend") return undefined;
  const prop = (k: string) => str(known(() => r.props[k]));
  const what = /User$/.test(cls) ? "user" : /(Group|Team)$/.test(cls) ? "group" : "role";
  const name = prop("roleName") ?? prop("username") ?? prop("groupname") ?? prop("groupName") ?? prop("team") ?? prop("user") ?? prop("name") ?? r.name;
  return { method: jwtFlavour(base, known(() => r.props.roleType)), mount: (prop("backend") ?? prop("path") ?? base).replace(/^\/|\/$/g, ""), what, name };
}

/** Mount path -> method type of every auth method the stack enables, typed or raw. */
function authMethodsOf(resources: readonly ResourceView[], kvMount: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    const m = /^vault:([^/]+)\/authBackend:AuthBackend$/.exec(r.type);
    const type = str(known(() => r.props.type));
    if (r.type === TYPES.authBackend && type) out.set((str(known(() => r.props.path)) ?? type).replace(/\/$/, ""), type);
    else if (m && m[1] !== "index") out.set((str(known(() => r.props.path)) ?? m[1]!.toLowerCase()).replace(/^\/|\/$/g, ""), type ?? m[1]!.toLowerCase());
    else if (isGeneric(r)) {
      const w = rawWriteOf(r, kvMount);
      const t = str(genericData(r)?.type);
      if (w.kind === "auth-enable" && t) out.set(w.mount.replace(/\/$/, ""), t);
    }
  }
  return out;
}

const bool = (v: unknown) => v === true || v === "true";

/** The policy text a resource writes, whichever way: `vault.Policy` or a raw write to the policy API. */
export function policySourceOf(r: ResourceView): PolicySource | undefined {
  if (r.type === TYPES.policy) {
    const name = known(() => r.props.name);
    const text = known(() => r.props.policy);
    return typeof name === "string" && typeof text === "string" ? { name: policyName(name), text, urn: r.urn, via: "vault.Policy" } : undefined;
  }
  if (!isGeneric(r)) return undefined;
  const path = genericPath(r) ?? "";
  const m = POLICY_PATH.exec(path);
  const data = genericData(r);
  const text = data ? (str(data.policy) ?? str(data.rules)) : undefined;
  return m && text !== undefined ? { name: policyName(m[1]!), text, urn: r.urn, via: `a write to ${path}` } : undefined;
}

/** The group an identity resource's `field` refers to: by Pulumi dependency, else unresolved. */
function groupRef(r: ResourceView, field: string, groups: ReadonlyMap<string, IdentityGroup>): IdentityGroup[] | undefined {
  const urns = r.propertyDependencies?.[field] ?? [];
  const found = urns.map((u) => groups.get(u)).filter((g): g is IdentityGroup => g !== undefined);
  return found.length ? found : undefined;
}

function namespacesOf(resources: readonly ResourceView[]): Map<string, NamespaceInfo> {
  const namespaces = new Map<string, NamespaceInfo>();
  for (const r of resources.filter((x) => kindIn(x) === "Namespace")) {
    const m = metaOf(r);
    if (m.name) namespaces.set(m.name, { name: m.name, labels: { ...(m.labels ?? {}) }, urn: r.urn });
  }
  // A patch changes the labels the cluster ends up with, so it changes who is a tenant.
  for (const r of resources.filter((x) => kindIn(x) === "NamespacePatch")) {
    const m = metaOf(r);
    if (!m.name) continue;
    const ns = namespaces.get(m.name) ?? { name: m.name, labels: {}, urn: r.urn };
    Object.assign(ns.labels, m.labels ?? {});
    namespaces.set(m.name, ns);
  }
  return namespaces;
}

function tenantsOf(namespaces: ReadonlyMap<string, NamespaceInfo>): Map<string, TenantInfo> {
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
  return tenants;
}

/** Identity groups with their policies and members, from typed resources and raw writes alike. */
function identityOf(resources: readonly ResourceView[], kvMount: string): { groups: IdentityGroup[]; unresolved: UnresolvedIdentity[] } {
  const groups = new Map<string, IdentityGroup>();
  const byName = new Map<string, IdentityGroup>();
  const unresolved: UnresolvedIdentity[] = [];
  const define = (key: string, name: string | undefined, type: unknown, urn: string): IdentityGroup => {
    const existing = name ? byName.get(name) : undefined;
    if (existing) return existing;
    const adminEnv = inverseAdminGroup(name);
    const g: IdentityGroup = { key, ...(name ? { name } : {}), type: type === "external" ? "external" : "internal", ...(adminEnv ? { adminEnv } : {}), policies: [], members: [], urn };
    groups.set(key, g);
    if (name) byName.set(name, g);
    return g;
  };
  const members = (g: IdentityGroup, r: ResourceView, entities: string[], subgroups: IdentityGroup[] | undefined, subgroupIds: string[]) => {
    if (entities.length) g.members.push({ kind: "entities", name: entities.join(", "), urn: r.urn });
    for (const s of subgroups ?? []) g.members.push({ kind: "subgroup", name: s.key, urn: r.urn });
    if (!subgroups && subgroupIds.length) unresolved.push({ urn: r.urn, what: `makes groups ${subgroupIds.join(", ")} members of ${g.name ?? "a group"}, groups the pack cannot identify` });
  };
  for (const r of resources.filter((x) => x.type === TYPES.identityGroup)) {
    const name = str(known(() => r.props.name));
    const g = define(r.urn, name, known(() => r.props.type), r.urn);
    g.policies.push(...policyNames(known(() => r.props.policies)).map((p) => ({ name: p, urn: r.urn })));
  }
  const raw = resources.filter(isGeneric).map((r) => ({ r, w: rawWriteOf(r, kvMount), data: genericData(r) ?? {} }));
  for (const { r, w, data } of raw) {
    if (w.kind !== "identity-group") continue;
    const name = w.name ?? str(data.name);
    if (!name) {
      unresolved.push({ urn: r.urn, what: `writes identity group ${w.id ?? "(unnamed)"} by id` });
      continue;
    }
    const g = define(`group:${name}`, name, data.type, r.urn);
    g.policies.push(...rawPolicyFields(data, ["policies"]).map((p) => ({ name: p, urn: r.urn })));
    members(g, r, strs(data.member_entity_ids), undefined, []);
    for (const id of strs(data.member_group_ids)) unresolved.push({ urn: r.urn, what: `makes group ${id} a member of ${name}, a group the pack cannot identify` });
  }
  for (const r of resources.filter((x) => x.type === TYPES.identityGroup)) {
    const g = groups.get(r.urn) ?? byName.get(str(known(() => r.props.name)) ?? "")!;
    const ids = known(() => r.props.memberGroupIds);
    members(g, r, strs(known(() => r.props.memberEntityIds)), groupRef(r, "memberGroupIds", groups), ids === UNKNOWN ? ["(unknown)"] : strs(ids));
  }
  for (const r of resources) {
    const target = (field: string) => groupRef(r, field, groups);
    switch (r.type) {
      case "vault:identity/groupAlias:GroupAlias": {
        const g = target("canonicalId");
        const name = str(known(() => r.props.name)) ?? "(unknown)";
        if (g) g.forEach((x) => x.members.push({ kind: "alias", name, urn: r.urn }));
        else unresolved.push({ urn: r.urn, what: `ties identity-provider group "${name}" to a Vault group the pack cannot identify` });
        break;
      }
      case "vault:identity/groupPolicies:GroupPolicies": {
        const g = target("groupId");
        const policies = policyNames(known(() => r.props.policies));
        if (g) g.forEach((x) => x.policies.push(...policies.map((p) => ({ name: p, urn: r.urn }))));
        break;
      }
      case "vault:identity/groupMemberEntityIds:GroupMemberEntityIds": {
        const g = target("groupId");
        const ids = strs(known(() => r.props.memberEntityIds));
        if (g) g.forEach((x) => members(x, r, ids.length ? ids : ["(unknown)"], undefined, []));
        else unresolved.push({ urn: r.urn, what: "adds entities to a group the pack cannot identify" });
        break;
      }
      case "vault:identity/groupMemberGroupIds:GroupMemberGroupIds": {
        const g = target("groupId");
        const ids = known(() => r.props.memberGroupIds);
        if (g) g.forEach((x) => members(x, r, [], target("memberGroupIds"), ids === UNKNOWN ? ["(unknown)"] : strs(ids)));
        else unresolved.push({ urn: r.urn, what: "adds member groups to a group the pack cannot identify" });
        break;
      }
    }
  }
  for (const { r, w } of raw) if (w.kind === "identity-group-alias") unresolved.push({ urn: r.urn, what: "writes a group alias by id (identity/group-alias): the pack cannot tell which group it joins" });
  return { groups: [...groups.values()], unresolved };
}

export function buildModel(resources: readonly ResourceView[]): StackModel {
  const namespaces = namespacesOf(resources);
  const refs = resources.filter((r) => r.type === TYPES.foundationReference);
  const kv = refs.map((r) => str(r.props.kvMount)).find((k) => k);
  const foundationStack = refs.map((r) => str(r.props.stack)).find((s) => s);
  const kvMount = kv ?? "secret";
  const policies: PolicySource[] = [];
  const kubernetesRoles: KubernetesRole[] = [];
  const otherGrants: OtherGrant[] = [];
  const authMounts = new Set<string>();
  const clusters: StackModel["clusters"] = [];
  const authMethods = authMethodsOf(resources, kvMount);
  for (const r of resources) {
    const source = policySourceOf(r);
    if (source) {
      policies.push(source);
    } else if (r.type === TYPES.clusterBridge) {
      const cluster = str(known(() => r.props.cluster));
      const authPath = str(known(() => r.props.authPath));
      if (cluster) clusters.push({ cluster, ...(authPath ? { authPath } : {}), urn: r.urn });
    } else if (r.type === TYPES.authBackend) {
      const path = str(known(() => r.props.path));
      if (path) authMounts.add(path.replace(/\/$/, ""));
    } else if (r.type === TYPES.role) {
      const p = r.props as RoleProps & { policies?: string[] };
      kubernetesRoles.push({
        mount: p.backend ?? "kubernetes",
        role: p.roleName ?? r.name,
        names: strs(p.boundServiceAccountNames),
        namespaces: strs(p.boundServiceAccountNamespaces),
        ...(p.boundServiceAccountNamespaceSelector ? { namespaceSelector: p.boundServiceAccountNamespaceSelector } : {}),
        ...(p.audience ? { audience: p.audience } : {}),
        policies: [...policyNames(p.tokenPolicies), ...policyNames(p.policies)],
        ...(bool(known(() => r.props.tokenNoDefaultPolicy)) ? { noDefaultPolicy: true } : {}),
        urn: r.urn,
        via: "vault.kubernetes.AuthBackendRole",
      });
    } else if (isGeneric(r)) {
      const path = genericPath(r) ?? "";
      const data = genericData(r) ?? {};
      const w = classifyRawPath(path, kvMount);
      if (w.kind === "auth-enable") {
        authMounts.add(w.mount);
      } else if (w.kind === "token-role") {
        otherGrants.push({
          kind: "token-role",
          principal: `tokens of token role ${w.role} (written to ${path})`,
          policies: rawPolicyFields(data),
          policyGlobs: strs(data.allowed_policies_glob),
          login: { method: "token", mount: "token", what: "role", name: w.role },
          ...(bool(data.token_no_default_policy) ? { noDefaultPolicy: true } : {}),
          urn: r.urn,
        });
      } else if (w.kind === "token-create") {
        otherGrants.push({ kind: "token", principal: `the token ${path} mints (raw write)`, policies: rawPolicyFields(data), ...(bool(data.no_default_policy) ? { noDefaultPolicy: true } : {}), urn: r.urn });
      } else if (w.kind === "auth-role" && ("bound_service_account_names" in data || "bound_service_account_namespaces" in data)) {
        kubernetesRoles.push({
          mount: w.mount,
          role: w.role,
          names: strs(data.bound_service_account_names),
          namespaces: strs(data.bound_service_account_namespaces),
          ...(str(data.bound_service_account_namespace_selector) ? { namespaceSelector: str(data.bound_service_account_namespace_selector)! } : {}),
          ...(str(data.audience) ? { audience: str(data.audience)! } : {}),
          policies: rawPolicyFields(data),
          ...(bool(data.token_no_default_policy) ? { noDefaultPolicy: true } : {}),
          urn: r.urn,
          via: `a write to ${path}`,
        });
      } else if (w.kind === "auth-role" || w.kind === "auth-member") {
        const fields = w.kind === "auth-member" && w.what.startsWith("map/") ? ["value", "policies"] : undefined;
        const method = methodOf(w.mount, authMethods);
        const login: AuthLogin =
          w.kind === "auth-role"
            ? { method: jwtFlavour(method, data.role_type), mount: w.mount, what: "role", name: w.role }
            : { method, mount: w.mount, what: w.what === "users" || w.what === "map/users" ? "user" : w.what === "certs" ? "role" : "group", name: w.name };
        otherGrants.push({ kind: "auth", principal: `${path} (raw write)`, policies: rawPolicyFields(data, fields), login, ...(bool(data.token_no_default_policy) ? { noDefaultPolicy: true } : {}), urn: r.urn });
      } else if (w.kind === "identity-entity") {
        otherGrants.push({ kind: "identity-entity", principal: `identity entity ${w.name ?? str(data.name) ?? ""} (written to ${path})`, policies: rawPolicyFields(data, ["policies"]), urn: r.urn });
      }
    } else {
      const granted = grantedPolicies(r);
      if (granted) {
        const kind = r.type === TYPES.identityGroup ? "identity-group" : r.type.startsWith("vault:identity/") ? "identity-entity" : r.type.startsWith("vault:tokenauth/") ? "token-role" : r.type === TYPES.token ? "token" : "auth";
        const env = r.type === TYPES.identityGroup ? inverseAdminGroup(str(r.props.name)) : undefined;
        const globs = policyNames(known(() => r.props.allowedPoliciesGlobs));
        const roleName = str(known(() => r.props.roleName));
        const login = kind === "auth" ? typedLogin(r) : kind === "token-role" && roleName ? ({ method: "token", mount: "token", what: "role", name: roleName } as const) : undefined;
        const noDefault = bool(known(() => r.props.tokenNoDefaultPolicy)) || bool(known(() => r.props.noDefaultPolicy));
        otherGrants.push({ kind, principal: describe(r), ...(env ? { adminEnv: env } : {}), policies: granted, ...(globs.length ? { policyGlobs: globs } : {}), ...(login ? { login } : {}), ...(noDefault ? { noDefaultPolicy: true } : {}), urn: r.urn });
      }
    }
  }
  const identity = identityOf(resources, kvMount);
  return {
    namespaces,
    tenants: tenantsOf(namespaces),
    policies,
    kubernetesRoles,
    otherGrants,
    identityGroups: identity.groups,
    unresolvedIdentity: identity.unresolved,
    authMounts,
    authMethods,
    foundationPolicies: new Set(refs.flatMap((r) => policyNames(r.props.policies))),
    ...(kv ? { foundationKvMount: kv } : {}),
    ...(foundationStack ? { foundationStack } : {}),
    clusters,
  };
}

/**
 * The model of one stack's resources, built once however many rules ask. Policies of one
 * request see the same resources (the engine's properties are shared among them, see
 * sharedProperties.ts): the cache holds while every resource's properties are the same objects.
 */
export function modelOf(resources: readonly ResourceView[]): StackModel {
  return memoized(resources, "model", buildModel);
}

const memo = new WeakMap<object, { props: unknown[]; values: Map<string, unknown> }>();

/** @pulumi/policy's proxies expose the values they wrap under this key. */
const PROXY_TARGET = "__getSpecialProxyTarget";
const target = (props: object): object => ((props as Record<string, unknown>)[PROXY_TARGET] as object | undefined) ?? props;

/** `compute(resources)`, remembered for as long as the same resources (by their property objects) are asked about. */
export function memoized<T>(resources: readonly ResourceView[], key: string, compute: (rs: readonly ResourceView[]) => T): T {
  if (resources.length === 0) return compute(resources);
  const props = resources.map((r) => target(r.props));
  const first = props[0]!;
  let entry = memo.get(first);
  if (!entry || entry.props.length !== props.length || entry.props.some((p, i) => p !== props[i])) {
    entry = { props, values: new Map() };
    memo.set(first, entry);
  }
  if (!entry.values.has(key)) entry.values.set(key, compute(resources));
  return entry.values.get(key) as T;
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

type ServiceAccountRef = { namespace: string; name: string };

/** The ESO ServiceAccount the platform store logs in as, per ClusterSecretStore named vault-platform. */
export function platformServiceAccounts(resources: readonly ResourceView[]): ServiceAccountRef[] {
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
export function pushServiceAccounts(resources: readonly ResourceView[]): ServiceAccountRef[] {
  const esoNamespaces = new Set(platformServiceAccounts(resources).map((s) => s.namespace));
  const pushed = new Set(
    resources
      .filter((r) => esoKind(r.type) === "PushSecret" && esoNamespaces.has(metaOf(r).namespace ?? ""))
      .flatMap((r) => (specOf<{ secretStoreRefs?: Array<{ kind?: string; name?: string }> }>(r).secretStoreRefs ?? []).filter((s) => (s.kind ?? "SecretStore") === "SecretStore" && s.name).map((s) => `${metaOf(r).namespace}/${s.name}`)),
  );
  return resources
    .filter((r) => esoKind(r.type) === "SecretStore" && pushed.has(`${metaOf(r).namespace}/${metaOf(r).name}`))
    .map((r) => ({ namespace: metaOf(r).namespace!, name: specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef?.name }))
    .filter((s): s is ServiceAccountRef => typeof s.name === "string");
}
