// The generated fleet the benchmark previews: N tenant namespaces on one cluster.
import type { Tenant } from "../model/tenants";

export const BENCH_CLUSTER = "spoke-bench";
const DIVISIONS = 10;

/** N namespaces: ceil(N/2) apps in 10 divisions, each with a CI team, deployed as dev and prd. */
export function benchCatalogue(namespaces: number): Tenant[] {
  const tenants: Tenant[] = [];
  for (let i = 0; tenants.length * 2 < namespaces; i++) {
    const envs = (tenants.length + 1) * 2 <= namespaces ? ["dev", "prd"] : ["dev"];
    tenants.push({ division: `div${i % DIVISIONS}`, app: `app${i}`, team: `team${i}`, deployments: { [BENCH_CLUSTER]: envs } });
  }
  return tenants;
}

export function benchStackValues(): Record<string, unknown> {
  return {
    cluster: { name: BENCH_CLUSTER, apiServer: `https://api.${BENCH_CLUSTER}.example:6443` },
    vault: { address: "https://vault.example:8200", egressCidrs: ["10.20.0.15/32"] },
    foundation: { adminGroups: [{ env: "dc", prefixes: ["apps", "ocp"] }] },
    pullSecrets: { quayPull: true },
    eso: { egress: { namespaceDefaultDeny: true } },
  };
}
