// Effective Vault access: for every principal a stack creates, the paths its token reaches
// under Vault's own matching rules, against what the catalogue allows that principal.
import { CAPABILITIES, type PolicyRule } from "../../model/vaultPolicy";
import { compileAcl, type Acl, type AclRule } from "../acl";
import { allowedRules, describeAllowance, shapeOf, shapeOfName, type AccessConfig, type Allowance } from "../allowance";
import { policyHolders, type PolicyHolder } from "../holders";
import { modelOf, parsePolicy, type StackModel } from "../model";
import { allowedAcl, escapes, type Escape } from "../reach";
import { stackRule } from "../rule";
import { AUTH_PATHS_SCHEMA, classifyPolicy } from "./common";

export type { AccessConfig, Allowance };
export { allowedRules, describeAllowance, shapeOf };

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
  extraAllowed: {
    type: "array",
    items: {
      type: "object",
      properties: { path: { type: "string" }, capabilities: { type: "array", items: { enum: CAPABILITIES.filter((c) => c !== "deny" && c !== "sudo") as string[] } } },
      required: ["path", "capabilities"] as string[],
      additionalProperties: false,
    },
    description: "Vault paths (policy syntax) any principal may reach beyond Vault's default policy, e.g. a transit key every app encrypts with; secret engines outside KV are refused unless listed",
    default: [],
  },
} as const;

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

const FOUNDATION = " (foundation)";

/**
 * Rules of a policy known only by name (the foundation's, seen from a cluster stack): its
 * platform shape, which the foundation stack checks the real text against.
 */
function assumedRules(name: string, model: StackModel, config: AccessConfig): Array<AclRule<string>> | undefined {
  if (!model.foundationPolicies.has(name)) return undefined;
  const kind = classifyPolicy(name);
  if (!kind) return undefined;
  return allowedRules(shapeOf(kind, model), config).map((r) => ({ ...r, source: `${name}${FOUNDATION}` }));
}

function aclFor(policies: readonly string[], texts: PolicyTexts, model: StackModel, config: AccessConfig): Acl<string> {
  const rules = [...new Set(policies)].flatMap((p) => texts.byName.get(p) ?? assumedRules(p, model, config) ?? []);
  return compileAcl(rules);
}

const sameShape = (a: Allowance, b: Allowance) => JSON.stringify({ ...a, robots: undefined }) === JSON.stringify({ ...b, robots: undefined });

/**
 * The resource to report an escape on: the one that widened access. A principal holding the
 * very policy its catalogue shape names (a tenant and its division's policy) is not the
 * intruder: the policy's text is. Otherwise the resource that handed out the policy is.
 */
function intruder(h: PolicyHolder, e: Escape<string>, model: StackModel): string {
  const names = e.sources.map((s) => (s.endsWith(FOUNDATION) ? s.slice(0, -FOUNDATION.length) : s));
  const entitled = names.every((n) => {
    if (n === "default") return true;
    const shape = shapeOfName(n, model);
    return shape !== undefined && sameShape(shape, h.allowance);
  });
  const text = entitled ? model.policies.find((p) => names.includes(p.name)) : undefined;
  return text?.urn ?? h.policies.find((p) => names.includes(p.name))?.urn ?? h.urn;
}

/** Config with the KV mount the stack's foundation reports, when it reports one. */
export function effectiveConfig<C extends { kvMount: string }>(config: C, model: StackModel): C {
  return model.foundationKvMount ? { ...config, kvMount: model.foundationKvMount } : config;
}

export const vaultEffectiveAccess = stackRule<AccessConfig>({
  name: "vault-effective-access",
  description:
    "Every principal (ServiceAccounts bound by kubernetes auth roles; roles, users and groups of every other auth method; token roles with their policy globs; tokens; identity groups through every member, alias and subgroup; entities) reaches, under Vault's matching rules, only what the catalogue allows it: a tenant's app-eso its division's KV subtree, pipelines the exact robots of this cluster's tenants, the platform store read under ocp/<cluster>/, the store PushSecrets write through (in ESO's namespace) create/read/update there, members of the identity-provider group vault-admins-<env> their prefixes, anyone else nothing that reads a secret in any engine and no writes to policies, auth or identity; every token may also do what Vault's default policy allows.",
  configSchema: ACCESS_SCHEMA,
  async check(resources, rawConfig, report) {
    const model = modelOf(resources);
    const config = effectiveConfig(rawConfig, model);
    const texts = await policyTexts(model);
    // A role binds many namespaces of one division: the same token against the same allowed set.
    const memo = new Map<string, Array<Escape<string>>>();
    for (const h of policyHolders(resources, config)) {
      const names = h.policies.map((p) => p.name);
      const key = JSON.stringify([[...new Set(names)].sort(), h.allowance]);
      if (!memo.has(key)) memo.set(key, escapes(aclFor(names, texts, model, config), allowedAcl(allowedRules(h.allowance, config))));
      for (const e of memo.get(key)!) {
        report(
          `${h.principal} reaches ${e.path} (${e.extra.join(", ")}) through path "${e.rule}" of policy ${e.sources.join(", ")}, granted by ${h.grantedBy}; the catalogue allows it ${describeAllowance(h.allowance, config)}`,
          intruder(h, e, model),
        );
      }
    }
  },
});

export const vaultPolicyShape = stackRule<AccessConfig>({
  name: "vault-policy-shape",
  description:
    "A policy carrying a platform name as Vault stores it (lower-cased: apps-<division>-read, platform-<cluster>-read, platform-<cluster>-push-write, pipelines-<cluster>-quay-robot-read, <env>-kv-rw, and Vault's own default, which every token carries) grants no more than that shape under Vault's matching rules, however it is written (vault.Policy or a raw write to sys/policies/acl or sys/policy): other stacks bind it by name. Never sudo; every policy text parses.",
  configSchema: ACCESS_SCHEMA,
  async check(resources, rawConfig, report) {
    const model = modelOf(resources);
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
      const what = kind.kind === "default" ? "Vault's default policy, which every token carries," : `named as ${kind.kind === "admin" ? "an" : "a"} ${kind.kind} policy but`;
      for (const e of escapes(acl, allowedAcl(allowedRules(shape, config)))) {
        report(`Vault policy "${source.name}" (${source.via}) is ${what} reaches ${e.path} (${e.extra.join(", ")}) through path "${e.rule}"; that name may grant only ${describeAllowance(shape, config)}`, source.urn);
      }
    }
  },
});
