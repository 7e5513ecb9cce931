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
