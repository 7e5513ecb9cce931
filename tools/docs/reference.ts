// docs/configuration.md, written from the generated JSON Schemas: one row per key with its type,
// default and meaning. Nothing here knows a key by name; every word of meaning comes from the
// schema's descriptions (the zod schemas in model/).
import type { JsonSchema } from "./jsonSchema";

interface Row {
  key: string;
  type: string;
  default: string;
  meaning: string;
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

function node(x: unknown): JsonSchema {
  return (typeof x === "object" && x !== null ? x : {}) as JsonSchema;
}

function code(s: string): string {
  return `\`${s.replaceAll("|", "\\|")}\``;
}

/** Markdown text: a token holding a `<placeholder>` is code, or the renderer would take it for HTML. */
function prose(s: string): string {
  return s
    .split(/(\s+)/)
    .map((token) => {
      if (!/[<>]/.test(token)) return token.replaceAll("|", "\\|");
      const [, lead, body, tail] = /^([("]*)(.*?)([)",.;:]*)$/.exec(token)!;
      return `${lead}${code(body!)}${tail}`;
    })
    .join("");
}

function yamlValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(", ")}]`;
  if (typeof v === "string") return v === "" ? '""' : v;
  return JSON.stringify(v);
}

/** A refined value with a name (model/schema.ts `checked`): its rule is listed once, under "Value types". */
function valueType(s: JsonSchema): string | undefined {
  return typeof s.check === "string" && typeof s.title === "string" ? s.title : undefined;
}

function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, "").replaceAll(" ", "-");
}

function typeOf(s: JsonSchema): string {
  const named = valueType(s);
  if (named) return `[${named}](#${anchor(named)})`;
  if (Array.isArray(s.enum)) return s.enum.map((v) => code(yamlValue(v))).join(" \\| ");
  if (s.const !== undefined) return code(yamlValue(s.const));
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) return "one of the forms below";
  switch (s.type) {
    case "string":
      return s.pattern ? `string matching ${code(String(s.pattern))}` : s.minLength ? "non-empty string" : "string";
    case "integer":
    case "number": {
      const low = typeof s.minimum === "number" ? `≥ ${s.minimum}` : s.exclusiveMinimum === 0 ? "> 0" : undefined;
      const high = typeof s.maximum === "number" && s.maximum < SAFE_INTEGER ? `≤ ${s.maximum}` : undefined;
      return [String(s.type), low, high].filter(Boolean).join(" ");
    }
    case "boolean":
      return "boolean";
    case "array": {
      const items = typeOf(node(s.items));
      return `list of ${items}${typeof s.minItems === "number" && s.minItems > 0 ? `, at least ${s.minItems}` : ""}`;
    }
    case "object":
      if (s.properties) return "mapping";
      return `map of ${typeOf(node(s.propertyNames ?? { type: "string" }))} to ${typeOf(node(s.additionalProperties))}`;
    default:
      return "any";
  }
}

/** A check without a name of its own, said where the value is. */
function checkOf(s: JsonSchema, what: string): string[] {
  return typeof s.check === "string" && valueType(s) === undefined ? [`${what} must be ${s.check}.`] : [];
}

function meaningOf(s: JsonSchema): string[] {
  return [
    ...(s.description ? [String(s.description)] : []),
    ...checkOf(s, "It"),
    ...(s.type === "array" ? checkOf(node(s.items), "Each item") : []),
    ...(s.type === "object" && !s.properties ? [...checkOf(node(s.propertyNames), "Each key"), ...checkOf(node(s.additionalProperties), "Each value")] : []),
  ];
}

function row(key: string, s: JsonSchema, required: boolean, note?: string): Row {
  const isObject = s.type === "object" && s.properties !== undefined;
  const fallback = required ? "**required**" : "—";
  return {
    key: code(key),
    type: typeOf(s),
    default: s.default !== undefined && !isObject ? code(yamlValue(s.default)) : fallback,
    meaning: prose([note, ...meaningOf(s)].filter(Boolean).join(" ")),
  };
}

/** Rows for `s`'s own keys and everything below them. */
function rowsOf(s: JsonSchema, path: string, note?: string): Row[] {
  const props = node(s.properties);
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(props).flatMap(([k, v]) => {
    const key = path ? `${path}.${k}` : k;
    const child = node(v);
    return [row(key, child, required.has(k), note), ...below(child, key, note)];
  });
}

function below(s: JsonSchema, key: string, note?: string): Row[] {
  if (s.properties) return rowsOf(s, key, note);
  const items = node(s.items);
  if (s.type === "array" && (items.properties || items.oneOf)) return below(items, `${key}[]`, note);
  const values = node(s.additionalProperties);
  if (s.type === "object" && values.properties) return rowsOf(values, `${key}.<name>`, note);
  const variants = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (!variants) return [];
  return variants.flatMap((v) => {
    const variant = node(v);
    const [tag, value] = Object.entries(node(variant.properties)).find(([, p]) => node(p).const !== undefined) ?? [];
    const when = tag ? `(${tag}: ${yamlValue(node(value).const)})` : undefined;
    const own = { ...variant, properties: Object.fromEntries(Object.entries(node(variant.properties)).filter(([k]) => k !== tag)) };
    const head = when ? [{ key: code(`${key}.${tag}: ${yamlValue(node(value).const)}`), type: "", default: "", meaning: prose(String(variant.description ?? "")) }] : [];
    return [...head, ...rowsOf(own, key, when)];
  });
}

function table(rows: readonly Row[]): string {
  return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows.map((r) => `| ${r.key} | ${r.type} | ${r.default} | ${r.meaning} |`)].join("\n");
}

function sections(schema: JsonSchema, display: (key: string) => string): string[] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(node(schema.properties)).map(([k, v]) => {
    const s = node(v);
    const rows = s.properties || s.items || s.oneOf ? below(s, display(k)) : [];
    const head = `### ${code(k)}\n\n${typeOf(s)}${required.has(k) ? ", required" : ""}${s.default !== undefined && !s.properties ? `, default ${code(yamlValue(s.default))}` : ""}. ${prose(meaningOf(s).join(" "))}`;
    return rows.length > 0 ? `${head}\n\n${table(rows)}` : head;
  });
}

/** Every named value type in `schemas`, with its rule. */
function valueTypes(...schemas: unknown[]): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (typeof x !== "object" || x === null) return;
    const named = valueType(x as JsonSchema);
    if (named) found.set(named, String((x as JsonSchema).check));
    Object.values(x).forEach(walk);
  };
  schemas.forEach(walk);
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

export interface ReferenceInput {
  stack: JsonSchema;
  tenants: JsonSchema;
  /** Repository paths of the shipped schemas, for the editor set-up. */
  stackSchemaPath: string;
  tenantsSchemaPath: string;
  generator: string;
}

export function configurationReference(input: ReferenceInput): string {
  const config = node(node(input.stack.properties).config);
  const unprefixed = (key: string) => key.slice(key.indexOf(":") + 1);
  return [
    "# Configuration reference",
    "",
    `<!-- Generated by \`${input.generator}\` from the zod schemas in model/, through ${input.stackSchemaPath} and ${input.tenantsSchemaPath}. Do not edit: change the schema's descriptions and regenerate; test/generated.test.ts fails when this file is stale. -->`,
    "",
    "Two files configure the program: a stack file per stack, and the tenant catalogue every stack reads. " +
      `Both are validated before anything is registered. Editors that use the YAML language server (VS Code's YAML extension, many others) complete and check them from the JSON Schemas in \`schema/\`; the shipped files name theirs in their first line:`,
    "",
    "```yaml",
    `# yaml-language-server: $schema=../${input.stackSchemaPath}`,
    "```",
    "",
    "What the program checks beyond a key's JSON type is in its meaning (\"Checked: …\") and, for the named value types, under [Value types](#value-types). " +
      "Those checks run in the program (`npm run preview`, `pulumi preview`); an editor shows them on hover but only enforces the JSON Schema.",
    "",
    "## Stack file: `stacks/Pulumi.<stack>.yaml`",
    "",
    prose(String(config.description ?? "")),
    "",
    ...sections(config, unprefixed).flatMap((s) => [s, ""]),
    "## Tenant catalogue: `stacks/tenants.yaml`",
    "",
    prose(String(input.tenants.description ?? "")),
    "",
    ...sections(input.tenants, (k) => k).flatMap((s) => [s, ""]),
    "## Value types",
    "",
    "Values the program checks beyond their JSON type, each as the API server, Vault or ESO would check it at `pulumi up`.",
    "",
    ...[...valueTypes(input.stack, input.tenants)].map(([title, check]) => `### ${title}\n\nMust be ${prose(check)}.\n`),
  ].join("\n");
}
