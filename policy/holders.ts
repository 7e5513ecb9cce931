// Who holds which Vault policies: every principal a stack's resources hand policies to, what
// the catalogue allows that principal, and which resource gives it each policy. The
// `vault-effective-access` rule judges these; an access report can list them. One place, so
// that what the pack refuses and what a report shows cannot disagree.
import * as naming from "../model/naming";
import { robotsOf, type AccessConfig, type Allowance } from "./allowance";
import { modelOf, memoized, platformServiceAccounts, pushServiceAccounts, type AuthLogin, type IdentityGroup, type KubernetesRole, type OtherGrant, type StackModel } from "./model";
import { clusterOfAuthPath, GLOB } from "./rules/common";
import type { ResourceView } from "./shapes";

export interface HeldPolicy {
  /** as Vault stores it */
  name: string;
  /** the resource that hands this policy to this principal: where a finding about it belongs */
  urn: string;
}

/** What kind of principal holds the policies: how its tokens come to be. */
export type HolderKind =
  /** a ServiceAccount@namespace a kubernetes auth role binds by literal names */
  | "service-account"
  /** any ServiceAccount a role binds by glob or namespace selector */
  | "service-account-pattern"
  | "jwt-role"
  | "oidc-role"
  | "approle"
  /** a role of another auth method (aws, gcp, azure, cert…) */
  | "auth-role"
  | "userpass-user"
  | "ldap-user"
  | "okta-user"
  | "auth-user"
  | "ldap-group"
  | "okta-group"
  /** a group of another auth method (a GitHub team…) */
  | "auth-group"
  /** policies an auth method hands out without naming one login (Okta's inline users and groups, an unreadable raw write) */
  | "auth-other"
  | "token-role"
  | "token"
  | "identity-group"
  /** whoever else becomes a member of an admin identity group */
  | "identity-group-member"
  | "identity-entity";

/** Whom a kubernetes auth role lets log in. */
export type KubernetesBinding =
  | { kind: "service-account"; mount: string; role: string; namespace: string; name: string }
  | { kind: "pattern"; mount: string; role: string; namespaces: string; names: string }
  | { kind: "selector"; mount: string; role: string; selector: string };

export interface PolicyHolder {
  /** how a message names the principal */
  principal: string;
  kind: HolderKind;
  allowance: Allowance;
  policies: HeldPolicy[];
  /** what hands the principal its policies (a role, a group, a token role…) */
  grantedBy: string;
  /** the resource that makes this principal a holder */
  urn: string;
  /** a ServiceAccount bound by a kubernetes auth role: which one (literal names only) */
  serviceAccount?: { namespace: string; name: string; mount: string };
  /** a kubernetes auth role's binding, literal or not */
  binding?: KubernetesBinding;
  /** how its tokens are obtained, when through an auth method's role, user or group, or a token role */
  login?: AuthLogin;
  /** identity groups and their other members: the group's name (or key) */
  group?: string;
  /** its tokens lack Vault's built-in `default` policy (token_no_default_policy) */
  noDefaultPolicy: boolean;
}

type ServiceAccounts = ReadonlyArray<{ namespace: string; name: string }>;

interface Subject {
  name: string;
  allowance: Allowance;
  serviceAccount?: { namespace: string; name: string };
  binding: KubernetesBinding;
}

function subjectsOf(role: KubernetesRole, model: StackModel, platformSas: ServiceAccounts, pushSas: ServiceAccounts, config: AccessConfig): Subject[] {
  const cluster = clusterOfAuthPath(role.mount, config);
  const at = { mount: role.mount, role: role.role };
  if (role.namespaceSelector) return [{ name: `any ServiceAccount in namespaces selected by ${role.namespaceSelector}`, allowance: { kind: "unknown" }, binding: { kind: "selector", ...at, selector: role.namespaceSelector } }];
  const out: Subject[] = [];
  for (const ns of role.namespaces) {
    for (const sa of role.names) {
      if (GLOB.test(ns) || GLOB.test(sa)) {
        out.push({ name: `any ServiceAccount matching "${sa}" in namespaces matching "${ns}"`, allowance: { kind: "unknown" }, binding: { kind: "pattern", ...at, namespaces: ns, names: sa } });
        continue;
      }
      const name = `ServiceAccount ${ns}/${sa}`;
      const serviceAccount = { namespace: ns, name: sa };
      const binding: KubernetesBinding = { kind: "service-account", ...at, namespace: ns, name: sa };
      const tenant = model.tenants.get(ns);
      if (tenant && sa === naming.TENANT_SERVICE_ACCOUNT && tenant.division) out.push({ name: `${name} (tenant, division ${tenant.division})`, allowance: { kind: "tenant", division: tenant.division }, serviceAccount, binding });
      else if (cluster && ns === naming.PIPELINES_NAMESPACE && sa === naming.PIPELINES_SERVICE_ACCOUNT) out.push({ name: `${name} (pipelines)`, allowance: { kind: "pipelines", cluster, robots: robotsOf(model) }, serviceAccount, binding });
      else if (cluster && platformSas.some((p) => p.namespace === ns && p.name === sa)) out.push({ name: `${name} (platform store)`, allowance: { kind: "platform", cluster }, serviceAccount, binding });
      else if (cluster && pushSas.some((p) => p.namespace === ns && p.name === sa)) out.push({ name: `${name} (PushSecret store)`, allowance: { kind: "push", cluster }, serviceAccount, binding });
      else out.push({ name: `${name} (${tenant ? "not the tenant's app-eso" : "not a principal the catalogue knows"})`, allowance: { kind: "unknown" }, serviceAccount, binding });
    }
  }
  return out;
}

/** Vault's glob for token roles' `allowed_policies_glob`: `*` matches any run of characters. */
export function policyGlobMatches(glob: string, name: string): boolean {
  const re = new RegExp(`^${glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return re.test(name);
}

/** Every policy name the pack knows of: written by this stack or exported by its foundation. */
function knownPolicyNames(model: StackModel): string[] {
  return [...new Set([...model.policies.map((p) => p.name), ...model.foundationPolicies])];
}

const byKey = (groups: readonly IdentityGroup[]) => new Map(groups.map((g) => [g.key, g]));

/**
 * A group's policies with the resource that hands each to its members: its own (the group or
 * a GroupPolicies resource), and those of every group it is a member of (inherited in Vault),
 * attributed to the resource that made it a member.
 */
function effectivePolicies(group: IdentityGroup, groups: ReadonlyMap<string, IdentityGroup>, seen = new Set<string>()): HeldPolicy[] {
  if (seen.has(group.key)) return [];
  seen.add(group.key);
  const out = [...group.policies];
  for (const parent of groups.values()) {
    for (const m of parent.members) {
      if (m.kind === "subgroup" && m.name === group.key) out.push(...effectivePolicies(parent, groups, seen).map((p) => ({ name: p.name, urn: m.urn })));
    }
  }
  return out;
}

/** Whether a membership is the one the catalogue sanctions for an admin group: its identity provider's group of the same name. */
function sanctioned(group: IdentityGroup, m: IdentityGroup["members"][number]): boolean {
  return group.adminEnv !== undefined && group.type === "external" && m.kind === "alias" && m.name === group.name;
}

function groupHolders(model: StackModel): PolicyHolder[] {
  const groups = byKey(model.identityGroups);
  const out: PolicyHolder[] = [];
  for (const g of model.identityGroups) {
    const policies = effectivePolicies(g, groups);
    if (policies.length === 0) continue;
    const label = `identity.Group ${g.name ?? g.key}`;
    const group = g.name ?? g.key;
    if (!g.adminEnv) {
      out.push({ principal: label, kind: "identity-group", allowance: { kind: "unknown" }, policies, grantedBy: label, urn: g.urn, group, noDefaultPolicy: false });
      continue;
    }
    out.push({ principal: label, kind: "identity-group", allowance: { kind: "admin", env: g.adminEnv }, policies, grantedBy: label, urn: g.urn, group, noDefaultPolicy: false });
    // Anyone else who becomes a member holds the admin group's policies without being an admin.
    for (const m of g.members.filter((x) => !sanctioned(g, x))) {
      const who =
        m.kind === "alias"
          ? `members of identity-provider group "${m.name}" (aliased onto ${g.name})`
          : m.kind === "entities"
            ? `entities ${m.name} (made members of ${g.name})`
            : `members of group ${groups.get(m.name)?.name ?? m.name} (made a member of ${g.name})`;
      out.push({ principal: who, kind: "identity-group-member", allowance: { kind: "unknown" }, policies: policies.map((p) => ({ name: p.name, urn: m.urn })), grantedBy: label, urn: m.urn, group, noDefaultPolicy: false });
    }
  }
  return out;
}

const NAMED_USERS = new Set(["userpass", "ldap", "okta"]);
const NAMED_GROUPS = new Set(["ldap", "okta"]);

function grantKind(grant: OtherGrant): HolderKind {
  const l = grant.login;
  if (grant.kind !== "auth") return grant.kind === "token-role" ? "token-role" : grant.kind === "token" ? "token" : "identity-entity";
  if (!l) return "auth-other";
  if (l.what === "user") return NAMED_USERS.has(l.method) ? (`${l.method}-user` as HolderKind) : "auth-user";
  if (l.what === "group") return NAMED_GROUPS.has(l.method) ? (`${l.method}-group` as HolderKind) : "auth-group";
  return l.method === "jwt" ? "jwt-role" : l.method === "oidc" ? "oidc-role" : l.method === "approle" ? "approle" : "auth-role";
}

function computeHolders(resources: readonly ResourceView[], config: AccessConfig): PolicyHolder[] {
  const model = modelOf(resources);
  const platformSas = platformServiceAccounts(resources);
  const pushSas = pushServiceAccounts(resources);
  const out: PolicyHolder[] = [];
  for (const role of model.kubernetesRoles) {
    const grantedBy = `kubernetes auth role ${role.mount}/${role.role} (${role.via})`;
    const policies = role.policies.map((name) => ({ name, urn: role.urn }));
    const login: AuthLogin = { method: "kubernetes", mount: role.mount, what: "role", name: role.role };
    for (const s of subjectsOf(role, model, platformSas, pushSas, config)) {
      out.push({
        principal: s.name,
        kind: s.serviceAccount ? "service-account" : "service-account-pattern",
        allowance: s.allowance,
        policies,
        grantedBy,
        urn: role.urn,
        ...(s.serviceAccount ? { serviceAccount: { ...s.serviceAccount, mount: role.mount } } : {}),
        binding: s.binding,
        login,
        noDefaultPolicy: role.noDefaultPolicy === true,
      });
    }
  }
  const names = knownPolicyNames(model);
  for (const grant of model.otherGrants.filter((g) => g.kind !== "identity-group")) {
    const globbed = (grant.policyGlobs ?? []).flatMap((glob) => names.filter((n) => policyGlobMatches(glob, n)));
    const policies = [...new Set([...grant.policies, ...globbed])].map((name) => ({ name, urn: grant.urn }));
    out.push({ principal: grant.principal, kind: grantKind(grant), allowance: { kind: "unknown" }, policies, grantedBy: grant.principal, urn: grant.urn, ...(grant.login ? { login: grant.login } : {}), noDefaultPolicy: grant.noDefaultPolicy === true });
  }
  out.push(...groupHolders(model));
  return out;
}

/** Every principal of the stack with its allowance and the policies it holds (see PolicyHolder). */
export function policyHolders(resources: readonly ResourceView[], config: AccessConfig): PolicyHolder[] {
  return memoized(resources, `holders:${JSON.stringify(config)}`, (rs) => computeHolders(rs, config));
}

/** ServiceAccounts (literal names) whose tokens log in to Vault and get policies: whoever can act as one reads what it reads. */
export function vaultServiceAccounts(resources: readonly ResourceView[], config: AccessConfig): Array<{ namespace: string; name: string; what: string }> {
  const seen = new Map<string, { namespace: string; name: string; what: string }>();
  for (const h of policyHolders(resources, config)) {
    if (!h.serviceAccount || h.policies.length === 0) continue;
    const key = `${h.serviceAccount.namespace}/${h.serviceAccount.name}`;
    if (!seen.has(key)) seen.set(key, { namespace: h.serviceAccount.namespace, name: h.serviceAccount.name, what: `logs in to Vault through ${h.grantedBy}` });
  }
  return [...seen.values()];
}
