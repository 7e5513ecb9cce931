// Effective Vault access: for every principal a stack creates, the paths its token reaches
// under Vault's own matching rules, against what the catalogue allows that principal.
import * as naming from "../../model/naming";
import type { Capability, PolicyRule } from "../../model/vaultPolicy";
import { compileAcl, type Acl, type AclRule } from "../acl";
import { buildModel, parsePolicy, platformServiceAccounts, pushServiceAccounts, type KubernetesRole, type StackModel } from "../model";
import { allowedAcl, escapes, type Escape } from "../reach";
import { stackRule } from "../rule";
import type { Report } from "../shapes";
import { AUTH_PATHS_SCHEMA, classifyPolicy, clusterOfAuthPath, GLOB, type AuthPathConfig, type PolicyKind } from "./common";

export interface AccessConfig extends AuthPathConfig {
  kvMount: string;
  adminPrefixes: string[];
}

export const KV_SCHEMA = {
  kvMount: { type: "string", description: "the KV v2 mount holding tenant and platform secrets (a cluster stack learns it from its foundation)", default: "secret" },
} as const;

export const ACCESS_SCHEMA = {
  ...AUTH_PATHS_SCHEMA,
  ...KV_SCHEMA,
  adminPrefixes: {
    type: "array",
    items: { type: "string" },
    description: "KV prefixes a vault-admins-<env> group may write (foundation.adminGroups[].prefixes)",
    default: ["apps", "ocp"],
  },
} as const;

/** What the catalogue allows a principal; `unknown` is anyone the catalogue does not name. */
export type Allowance =
  | { kind: "tenant"; division: string }
  | { kind: "platform"; cluster: string }
  | { kind: "push"; cluster: string }
  | { kind: "pipelines"; cluster: string; robots: string[] }
  | { kind: "admin"; env: string }
  | { kind: "unknown" };

const WRITE: Capability[] = ["create", "read", "update", "patch", "delete", "list"];

export function allowedRules(a: Allowance, config: AccessConfig): PolicyRule[] {
  const kv = config.kvMount;
  switch (a.kind) {
    case "tenant":
      return [
        { path: `${naming.kvDataPath(kv, naming.divisionKeyPrefix(a.division))}*`, capabilities: ["read"] },
        { path: `${naming.kvMetadataPath(kv, naming.divisionKeyPrefix(a.division))}*`, capabilities: ["read", "list"] },
      ];
    case "platform":
      return [{ path: `${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["read"] }];
    case "push":
      // What ESO's Vault provider needs to push to KV v2: the value and its custom metadata.
      return [
        { path: `${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["create", "read", "update"] },
        { path: `${naming.kvMetadataPath(kv, naming.platformKeyPrefix(a.cluster))}*`, capabilities: ["create", "read", "update"] },
      ];
    case "pipelines":
      return a.robots.map((key) => ({ path: naming.kvDataPath(kv, key), capabilities: ["read"] }));
    case "admin":
      return [
        { path: naming.kvMetadataPath(kv, ""), capabilities: ["list"] },
        ...config.adminPrefixes.flatMap((p): PolicyRule[] => [
          { path: `${naming.kvDataPath(kv, `${p}/`)}*`, capabilities: ["create", "read", "update", "patch", "delete"] },
          { path: `${naming.kvMetadataPath(kv, `${p}/`)}*`, capabilities: ["read", "list", "delete"] },
        ]),
      ];
    case "unknown":
      // Nothing in the KV mount (tenant and platform secrets), and nothing that writes the
      // policies, roles or identities every other principal is judged by.
      return [
        { path: "*", capabilities: WRITE },
        { path: kv, capabilities: ["deny"] },
        { path: `${kv}/*`, capabilities: ["deny"] },
        ...["sys/*", "auth/*", "identity/*"].map((path): PolicyRule => ({ path, capabilities: ["read", "list"] })),
      ];
  }
}

export function describeAllowance(a: Allowance, config: AccessConfig): string {
  const kv = config.kvMount;
  switch (a.kind) {
    case "tenant":
      return `read under ${naming.kvDataPath(kv, naming.divisionKeyPrefix(a.division))} and ${naming.kvMetadataPath(kv, naming.divisionKeyPrefix(a.division))} (division ${a.division})`;
    case "platform":
      return `read under ${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))}`;
    case "push":
      return `create/read/update under ${naming.kvDataPath(kv, naming.platformKeyPrefix(a.cluster))} and ${naming.kvMetadataPath(kv, naming.platformKeyPrefix(a.cluster))}`;
    case "pipelines":
      return a.robots.length ? `read on ${a.robots.map((k) => naming.kvDataPath(kv, k)).join(", ")}` : "nothing (no tenant on this cluster has a robot)";
    case "admin":
      return `write under ${config.adminPrefixes.map((p) => `${kv}/data/${p}/`).join(", ")}`;
    case "unknown":
      return `nothing under ${kv}/, and no writes under sys/, auth/ or identity/`;
  }
}

/** The shape a platform-named policy must keep: roles in other stacks trust it by name. */
export function shapeOf(kind: PolicyKind, model: StackModel): Allowance {
  switch (kind.kind) {
    case "division":
      return { kind: "tenant", division: kind.division };
    case "platform":
      return { kind: "platform", cluster: kind.cluster };
    case "push":
      return { kind: "push", cluster: kind.cluster };
    case "pipelines":
      return { kind: "pipelines", cluster: kind.cluster, robots: robotsOf(model) };
    case "admin":
      return { kind: "admin", env: kind.env };
  }
}

function robotsOf(model: StackModel): string[] {
  const keys = new Set<string>();
  for (const t of model.tenants.values()) if (t.division && t.app) keys.add(naming.ciRobotKey(t.division, t.app));
  return [...keys].sort();
}

/** One principal's view: how a message names it and what it may reach. */
interface Subject {
  name: string;
  allowance: Allowance;
}

type ServiceAccounts = ReadonlyArray<{ namespace: string; name: string }>;

function subjectsOf(role: KubernetesRole, model: StackModel, platformSas: ServiceAccounts, pushSas: ServiceAccounts, config: AccessConfig): Subject[] {
  const cluster = clusterOfAuthPath(role.mount, config);
  if (role.namespaceSelector) return [{ name: `any ServiceAccount in namespaces selected by ${role.namespaceSelector}`, allowance: { kind: "unknown" } }];
  const out: Subject[] = [];
  for (const ns of role.namespaces) {
    for (const sa of role.names) {
      if (GLOB.test(ns) || GLOB.test(sa)) {
        out.push({ name: `any ServiceAccount matching "${sa}" in namespaces matching "${ns}"`, allowance: { kind: "unknown" } });
        continue;
      }
      const name = `ServiceAccount ${ns}/${sa}`;
      const tenant = model.tenants.get(ns);
      if (tenant && sa === naming.TENANT_SERVICE_ACCOUNT && tenant.division) out.push({ name: `${name} (tenant, division ${tenant.division})`, allowance: { kind: "tenant", division: tenant.division } });
      else if (cluster && ns === naming.PIPELINES_NAMESPACE && sa === naming.PIPELINES_SERVICE_ACCOUNT) out.push({ name: `${name} (pipelines)`, allowance: { kind: "pipelines", cluster, robots: robotsOf(model) } });
      else if (cluster && platformSas.some((p) => p.namespace === ns && p.name === sa)) out.push({ name: `${name} (platform store)`, allowance: { kind: "platform", cluster } });
      else if (cluster && pushSas.some((p) => p.namespace === ns && p.name === sa)) out.push({ name: `${name} (PushSecret store)`, allowance: { kind: "push", cluster } });
      else out.push({ name: `${name} (${tenant ? "not the tenant's app-eso" : "not a principal the catalogue knows"})`, allowance: { kind: "unknown" } });
    }
  }
  return out;
}

interface PolicyTexts {
  /** name -> rules, from every source of that name */
  byName: Map<string, Array<AclRule<string>>>;
}

/** Parsed texts by policy name; an unparsable one grants nothing here and is vault-policy-shape's to report. */
async function policyTexts(model: StackModel): Promise<PolicyTexts> {
  const byName = new Map<string, Array<AclRule<string>>>();
  for (const source of model.policies) {
    let rules: PolicyRule[];
    try {
      rules = await parsePolicy(source);
    } catch {
      continue;
    }
    byName.set(source.name, [...(byName.get(source.name) ?? []), ...rules.map((r) => ({ ...r, source: source.name }))]);
  }
  return { byName };
}

/**
 * Rules of a policy known only by name (the foundation's, seen from a cluster stack): its
 * platform shape, which the foundation stack checks the real text against.
 */
function assumedRules(name: string, model: StackModel, config: AccessConfig): Array<AclRule<string>> | undefined {
  if (!model.foundationPolicies.has(name)) return undefined;
  const kind = classifyPolicy(name);
  if (!kind) return undefined;
  return allowedRules(shapeOf(kind, model), config).map((r) => ({ ...r, source: `${name} (foundation)` }));
}

function aclFor(policies: readonly string[], texts: PolicyTexts, model: StackModel, config: AccessConfig): Acl<string> {
  const rules = policies.flatMap((p) => texts.byName.get(p) ?? assumedRules(p, model, config) ?? []);
  return compileAcl(rules);
}

function judge(subject: Subject, acl: Acl<string>, grantedBy: string, urn: string, config: AccessConfig, report: Report, memo = new Map<string, Array<Escape<string>>>()): void {
  // A role binds many namespaces of one division: the same token against the same allowed set.
  const key = JSON.stringify(subject.allowance);
  if (!memo.has(key)) memo.set(key, escapes(acl, allowedAcl(allowedRules(subject.allowance, config))));
  for (const e of memo.get(key)!) {
    report(
      `${subject.name} reaches ${e.path} (${e.extra.join(", ")}) through path "${e.rule}" of policy ${e.sources.join(", ")}, granted by ${grantedBy}; the catalogue allows it ${describeAllowance(subject.allowance, config)}`,
      urn,
    );
  }
}

/** Config with the KV mount the stack's foundation reports, when it reports one. */
export function effectiveConfig<C extends { kvMount: string }>(config: C, model: StackModel): C {
  return model.foundationKvMount ? { ...config, kvMount: model.foundationKvMount } : config;
}

export const vaultEffectiveAccess = stackRule<AccessConfig>({
  name: "vault-effective-access",
  description:
    "Every principal (ServiceAccount bound by any kubernetes auth role, AppRole/JWT/LDAP/token roles, identity groups and entities, tokens) reaches, under Vault's matching rules, only what the catalogue allows it: a tenant's app-eso its division's KV subtree, pipelines the exact robots of this cluster's tenants, the platform store read under ocp/<cluster>/, the store PushSecrets write through (in ESO's namespace) create/read/update there, admin groups their prefixes, anyone else nothing in the KV mount.",
  configSchema: ACCESS_SCHEMA,
  async check(resources, rawConfig, report) {
    const model = buildModel(resources);
    const config = effectiveConfig(rawConfig, model);
    const texts = await policyTexts(model);
    const platformSas = platformServiceAccounts(resources);
    const pushSas = pushServiceAccounts(resources);
    for (const role of model.kubernetesRoles) {
      const acl = aclFor(role.policies, texts, model, config);
      const memo = new Map<string, Array<Escape<string>>>();
      for (const subject of subjectsOf(role, model, platformSas, pushSas, config)) judge(subject, acl, `kubernetes auth role ${role.mount}/${role.role} (${role.via})`, role.urn, config, report, memo);
    }
    for (const grant of model.otherGrants) {
      const acl = aclFor(grant.policies, texts, model, config);
      const allowance: Allowance = grant.adminEnv ? { kind: "admin", env: grant.adminEnv } : { kind: "unknown" };
      judge({ name: grant.principal, allowance }, acl, grant.principal, grant.urn, config, report);
    }
  },
});

export const vaultPolicyShape = stackRule<AccessConfig>({
  name: "vault-policy-shape",
  description:
    "A policy carrying a platform name (apps-<division>-read, platform-<cluster>-read, platform-<cluster>-push-write, pipelines-<cluster>-quay-robot-read, <env>-kv-rw) grants no more than that shape, under Vault's matching rules: other stacks bind it by name. Never sudo; every policy text parses.",
  configSchema: ACCESS_SCHEMA,
  async check(resources, rawConfig, report) {
    const model = buildModel(resources);
    const config = effectiveConfig(rawConfig, model);
    for (const source of model.policies) {
      let rules: PolicyRule[];
      try {
        rules = await parsePolicy(source);
      } catch (err) {
        report(`Vault policy "${source.name}" (${source.via}) cannot be parsed: ${(err as Error).message}`, source.urn);
        continue;
      }
      for (const r of rules.filter((x) => x.capabilities.includes("sudo"))) report(`Vault policy "${source.name}" path "${r.path}" grants sudo; no platform principal needs it (KV never checks sudo)`, source.urn);
      const kind = classifyPolicy(source.name);
      if (!kind) continue;
      const shape = shapeOf(kind, model);
      const acl = compileAcl(rules.map((r) => ({ ...r, source: source.name })));
      for (const e of escapes(acl, allowedAcl(allowedRules(shape, config)))) {
        report(
          `Vault policy "${source.name}" (${source.via}) is named as ${kind.kind === "admin" ? "an" : "a"} ${kind.kind} policy but reaches ${e.path} (${e.extra.join(", ")}) through path "${e.rule}"; that name may grant only ${describeAllowance(shape, config)}`,
          source.urn,
        );
      }
    }
  },
});
