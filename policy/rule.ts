// A rule: pure logic over resource views plus its name, description and tunables. The
// Pulumi policy objects (policy/policies.ts) and the offline evaluator both call these.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { Report, ResourceView } from "./shapes";

type Schema = PolicyConfigSchema["properties"];

export interface Rule {
  name: string;
  description: string;
  kind: "resource" | "stack";
  /** Tunables beyond enforcementLevel, with their defaults. */
  configSchema?: Schema;
  checkResource?(r: ResourceView, config: Record<string, unknown>, report: Report): void | Promise<void>;
  checkStack?(resources: ResourceView[], config: Record<string, unknown>, report: Report): void | Promise<void>;
}

function defaults(schema: Schema | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema ?? {}).map(([k, s]) => [k, typeof s === "object" ? s.default : undefined]));
}

interface RuleArgs<C> {
  name: string;
  description: string;
  configSchema?: Schema;
  check(r: ResourceView, config: C, report: Report): void | Promise<void>;
}

export function resourceRule<C extends object = Record<string, never>>(def: RuleArgs<C>): Rule {
  const base = defaults(def.configSchema);
  return {
    name: def.name,
    description: def.description,
    kind: "resource",
    ...(def.configSchema ? { configSchema: def.configSchema } : {}),
    checkResource: (r, config, report) => def.check(r, { ...base, ...config } as C, report),
  };
}

interface StackRuleArgs<C> {
  name: string;
  description: string;
  configSchema?: Schema;
  check(resources: ResourceView[], config: C, report: Report): void | Promise<void>;
}

export function stackRule<C extends object = Record<string, never>>(def: StackRuleArgs<C>): Rule {
  const base = defaults(def.configSchema);
  return {
    name: def.name,
    description: def.description,
    kind: "stack",
    ...(def.configSchema ? { configSchema: def.configSchema } : {}),
    checkStack: (rs, config, report) => def.check(rs, { ...base, ...config } as C, report),
  };
}
