// Generators of valid tenant catalogues, shared by the property-based suites.
import fc from "fast-check";
import { conflicts, type Tenant } from "../model/tenants";

export const CLUSTERS = ["spoke-dc-v6", "spoke-dc-v7"] as const;
const ENVS = ["dev", "stg", "prd", "qa"] as const;

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,5})?$/);

const deployments = fc
  .dictionary(fc.constantFrom(...CLUSTERS), fc.uniqueArray(fc.constantFrom(...ENVS), { minLength: 1, maxLength: 4 }), { minKeys: 1, maxKeys: 2 })
  .map((d) => Object.fromEntries(Object.entries(d)) as Record<string, string[]>);

/** A catalogue that passes validation: unique apps, teams and namespaces, names within limits. */
export const catalogue: fc.Arbitrary<Tenant[]> = fc
  .uniqueArray(fc.record({ division: fc.constantFrom("platform", "payments", "retail", "data-eng"), app: label, withTeam: fc.boolean(), deployments }), {
    minLength: 1,
    maxLength: 12,
    selector: (t) => `${t.division}/${t.app}`,
  })
  .map((rows) =>
    rows.map((r, i): Tenant => ({ division: r.division, app: r.app, deployments: r.deployments, ...(r.withTeam ? { team: `team-${i}` } : {}) })),
  )
  .filter((tenants) => conflicts(tenants).length === 0);

/** Stack config values for a single-cluster stack that owns its foundation. */
export function soloStackValues(cluster: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cluster: { name: cluster, apiServer: `https://api.${cluster}.example:6443` },
    vault: { address: "https://vault.example:8200", egressCidrs: ["10.20.0.15/32"] },
    foundation: { adminGroups: [{ env: "dc", prefixes: ["apps", "ocp"] }] },
    eso: { egress: { namespaceDefaultDeny: true } },
    ...overrides,
  };
}

// Careless edits of a YAML file, line by line (the loader and CLI fuzzes).

/** Values a careless edit leaves behind: wrong types, YAML syntax, out-of-range and foreign text. */
export const token = fc.oneof(
  fc.constantFrom("010", "true", "~", "", "[", "]", "{", "{a: 1}", "- x", "*a", "&a x", "!!binary x", "héllo wörld", "999.999.999.999/32", "../../../etc/x.yaml", "-1", "1e400", "0x1F", "spoke-dc-6", "'unterminated", '"\\u0000"', "<<: *a", ":", "#"),
  fc.string({ maxLength: 12 }),
);

/** One line edit; `with` and `text` are used by the kinds that need them. */
export interface Edit {
  kind: "delete" | "duplicate" | "indent" | "dedent" | "swap" | "value" | "insert";
  at: number;
  with: number;
  text: string;
}

export const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("delete" as const, "duplicate" as const, "indent" as const, "dedent" as const, "swap" as const, "value" as const, "insert" as const),
  at: fc.nat(),
  with: fc.nat(),
  text: token,
});

export function mutate(text: string, edits: readonly Edit[]): string {
  const lines = text.split("\n");
  for (const e of edits) {
    const i = e.at % lines.length;
    const line = lines[i]!;
    if (e.kind === "delete") lines.splice(i, 1);
    else if (e.kind === "duplicate") lines.splice(i, 0, line);
    else if (e.kind === "indent") lines[i] = `  ${line}`;
    else if (e.kind === "dedent") lines[i] = line.replace(/^ {1,2}/, "");
    else if (e.kind === "swap") [lines[i], lines[e.with % lines.length]] = [lines[e.with % lines.length]!, line];
    else if (e.kind === "insert") lines.splice(i, 0, e.text);
    else lines[i] = line.includes(":") ? `${line.slice(0, line.indexOf(":") + 1)} ${e.text}` : `${line.replace(/\S.*$/, "")}- ${e.text}`;
    if (lines.length === 0) lines.push("");
  }
  return lines.join("\n");
}
