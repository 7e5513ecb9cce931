// The generated fleet the benchmark previews: N tenant namespaces on one cluster.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Tenant } from "../model/tenants";
import { copyProject } from "../preview/engine/project";

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

/** A temporary copy of the project at `root` whose stack `stack` carries the generated fleet; the caller removes it. */
export function benchProject(root: string, stack: string, namespaces: number): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-project-"));
  copyProject(root, dir);
  const config = Object.fromEntries(Object.entries(benchStackValues()).map(([k, v]) => [`platform-secrets:${k}`, v]));
  mkdirSync(join(dir, "stacks"));
  writeFileSync(join(dir, "stacks", `Pulumi.${stack}.yaml`), stringify({ config }));
  writeFileSync(join(dir, "stacks", "tenants.yaml"), stringify({ tenants: benchCatalogue(namespaces) }));
  return dir;
}
