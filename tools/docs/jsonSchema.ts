// JSON Schemas of the two files an operator edits, generated from the zod schemas the program
// validates with, so that editors (the YAML language server's `$schema` comment) and the
// configuration reference can never disagree with the program.
import { z } from "zod";
import { PROJECT, stackSchema } from "../../model/config";
import { tenantsFileSchema } from "../../model/tenants";

export type JsonSchema = { [keyword: string]: unknown };

/** Draft-07: what the YAML language server and ajv both read without extra set-up. */
const TARGET = "draft-07";

/**
 * The meaning of a key is its `description`; what a zod refinement enforces, which JSON Schema
 * cannot express, travels as the `check` annotation of the building block (model/schema.ts).
 * The schemas below keep it as such, for the reference; editors get it appended to the
 * description, so it shows on hover.
 */
export function forEditors(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forEditors);
  if (typeof node !== "object" || node === null) return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) if (k !== "check") out[k] = forEditors(v);
  const check = (node as JsonSchema).check;
  if (typeof check === "string") out.description = [out.description, `Must be ${check}.`].filter(Boolean).join(" ");
  return out;
}

function fromZod(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", target: TARGET }) as JsonSchema;
}

/** `stacks/Pulumi.<stack>.yaml`: this project's keys under `config:`, prefixed; other namespaces belong to their providers. */
export function stackFileJsonSchema(): JsonSchema {
  const { $schema, properties, required, description, ...rest } = fromZod(stackSchema);
  const prefixed = (key: string) => `${PROJECT}:${key}`;
  return {
    $schema,
    title: "platform-secrets stack file (stacks/Pulumi.<stack>.yaml)",
    type: "object",
    properties: {
      config: {
        ...rest,
        description,
        properties: Object.fromEntries(Object.entries(properties as JsonSchema).map(([k, v]) => [prefixed(k), v])),
        required: (required as string[] | undefined)?.map(prefixed) ?? [],
        patternProperties: { [`^(?!${PROJECT}:)[^:]+:`]: {} },
        additionalProperties: false,
      },
    },
    required: ["config"],
  };
}

/** `stacks/tenants.yaml`. */
export function tenantsFileJsonSchema(): JsonSchema {
  const { $schema, ...rest } = fromZod(tenantsFileSchema);
  return { $schema, title: "platform-secrets tenant catalogue (stacks/tenants.yaml)", ...rest };
}
