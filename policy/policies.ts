// The rules as @pulumi/policy policies: what `pulumi preview --policy-pack policy` runs,
// and what the offline evaluator runs the same way.
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Rule } from "./rule";
import { RULES } from "./rules";
import type { ResourceView } from "./shapes";

export const PACK_NAME = "platform-secrets-guard";
export const DEFAULT_ENFORCEMENT: EnforcementLevel = "mandatory";

function viewOf(r: ResourceValidationArgs): ResourceView {
  return { type: r.type, urn: r.urn, name: r.name, props: r.props, protect: r.opts.protect };
}

function stackViewOf(r: PolicyResource): ResourceView {
  const deps = Object.entries(r.propertyDependencies ?? {}).filter(([, rs]) => rs.length > 0);
  return {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: r.props,
    protect: r.opts.protect,
    ...(deps.length ? { propertyDependencies: Object.fromEntries(deps.map(([k, rs]) => [k, rs.map((x) => x.urn)])) } : {}),
  };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const common = {
    name: rule.name,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel ?? DEFAULT_ENFORCEMENT,
    ...(rule.configSchema ? { configSchema: { properties: rule.configSchema } } : {}),
  };
  if (rule.kind === "resource") {
    return { ...common, validateResource: (args, report) => rule.checkResource!(viewOf(args), args.getConfig(), report) };
  }
  return { ...common, validateStack: (args, report) => rule.checkStack!(args.resources.map(stackViewOf), args.getConfig(), report) };
}

export const POLICIES = RULES.map(toPolicy);
