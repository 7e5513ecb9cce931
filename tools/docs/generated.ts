// The files generated from the zod schemas: the JSON Schemas editors read and the configuration
// reference. `npm run docs:generate` writes them; test/generated.test.ts checks they are current.
import { forEditors, stackFileJsonSchema, tenantsFileJsonSchema } from "./jsonSchema";
import { configurationReference } from "./reference";

export const STACK_SCHEMA = "schema/stack.schema.json";
export const TENANTS_SCHEMA = "schema/tenants.schema.json";
export const REFERENCE = "docs/configuration.md";
export const GENERATE_COMMAND = "npm run docs:generate";

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Repository path -> content. */
export function generatedFiles(): Map<string, string> {
  const stack = stackFileJsonSchema();
  const tenants = tenantsFileJsonSchema();
  return new Map([
    [STACK_SCHEMA, json(forEditors(stack))],
    [TENANTS_SCHEMA, json(forEditors(tenants))],
    [REFERENCE, configurationReference({ stack, tenants, stackSchemaPath: STACK_SCHEMA, tenantsSchemaPath: TENANTS_SCHEMA, generator: GENERATE_COMMAND })],
  ]);
}
