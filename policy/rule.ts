// A rule: pure logic over resource views plus its name, description and tunables. The
// Pulumi policy objects (policy/policies.ts) and the offline evaluator both call these.
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";
import type { Report, ResourceView } from "./shapes";

type Schema = PolicyConfigSchema["properties"];

export interface Rule {
  name: string;
  description: string;
  kind: "resource" | "stack";
  /** Default level when not the pack's (mandatory): a rule that only informs is advisory. */
  enforcementLevel?: EnforcementLevel;
  /** Tunables beyond enforcementLevel, with their defaults. */
  configSchema?: Schema;
  checkResource?(r: ResourceView, config: Record<string, unknown>, report: Report): void | Promise<void>;
  checkStack?(resources: ResourceView[], config: Record<string, unknown>, report: Report): void | Promise<void>;
}

function defaults(schema: Schema | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema ?? {}).map(([k, s]) => [k, typeof s === "object" ? s.default : undefined]));
}

interface RuleArgs<C, Input> {
  name: string;
  description: string;
  enforcementLevel?: EnforcementLevel;
  configSchema?: Schema;
  check(input: Input, config: C, report: Report): void | Promise<void>;
}

/** Common part of both kinds: metadata, and the check called with the schema's defaults filled in. */
function define<C, Input>(def: RuleArgs<C, Input>) {
  const base = defaults(def.configSchema);
  return {
    meta: {
      name: def.name,
      description: def.description,
      ...(def.enforcementLevel ? { enforcementLevel: def.enforcementLevel } : {}),
      ...(def.configSchema ? { configSchema: def.configSchema } : {}),
    },
    run: (input: Input, config: Record<string, unknown>, report: Report) => def.check(input, { ...base, ...config } as C, report),
  };
}

export function resourceRule<C extends object = Record<string, never>>(def: RuleArgs<C, ResourceView>): Rule {
  const { meta, run } = define(def);
  return { ...meta, kind: "resource", checkResource: run };
}

export function stackRule<C extends object = Record<string, never>>(def: RuleArgs<C, ResourceView[]>): Rule {
  const { meta, run } = define(def);
  return { ...meta, kind: "stack", checkStack: run };
}
