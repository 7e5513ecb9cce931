// Properties of the plan over generated catalogues (seed 004 style: >= 100 runs, tagged).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../model/config";
import * as naming from "../model/naming";
import { planStack } from "../model/plan";
import { namespacesOn } from "../model/tenants";
import { catalogue, CLUSTERS, soloStackValues } from "./arbitraries";

const RUNS = { numRuns: 150 };
const config = (cluster: string) => parseStackConfig(soloStackValues(cluster), { file: "stacks/Pulumi.prop.yaml" });

describe("plan properties", () => {
  it("Feature: platform-secrets, Property 1: every tenant namespace is bound by exactly one role, its division's, by literal name", () => {
    fc.assert(
      fc.property(catalogue, fc.constantFrom(...CLUSTERS), (tenants, cluster) => {
        const plan = planStack("prop", config(cluster), tenants).cluster!;
        const expected = namespacesOn(tenants, cluster);
        expect(plan.tenants.map((t) => t.namespace)).toEqual(expected.map((n) => n.namespace));
        for (const ns of expected) {
          const binding = plan.divisionRoles.filter((d) => d.role.namespaces.includes(ns.namespace));
          expect(binding.map((b) => b.role.name)).toEqual([naming.tenantRole(cluster, ns.division)]);
          expect(naming.isDns1123Label(ns.namespace)).toBe(true);
        }
        for (const { role } of plan.divisionRoles) {
          expect(role.serviceAccounts).toEqual([naming.TENANT_SERVICE_ACCOUNT]);
          for (const ns of role.namespaces) expect(ns).not.toMatch(/[*?+\[]/);
        }
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 2: the pipelines policy grants exactly the CI robot paths of this cluster's tenants with a team", () => {
    fc.assert(
      fc.property(catalogue, fc.constantFrom(...CLUSTERS), (tenants, cluster) => {
        const plan = planStack("prop", config(cluster), tenants).cluster!;
        const expected = tenants.filter((t) => t.team && cluster in t.deployments).map((t) => `secret/data/${naming.ciRobotKey(t.division, t.app)}`);
        const granted = plan.pipelines?.policy.rules.map((r) => r.path) ?? [];
        expect(granted.sort()).toEqual(expected.sort());
        for (const r of plan.pipelines?.policy.rules ?? []) {
          expect(r.path).not.toContain("*");
          expect(r.capabilities).toEqual(["read"]);
        }
        const secrets = plan.pipelines?.ciSecrets.map((s) => s.manifest.metadata.name) ?? [];
        expect(new Set(secrets).size).toBe(secrets.length);
      }),
      RUNS,
    );
  });

  it("Feature: platform-secrets, Property 3: every division policy reads only its own subtree", () => {
    fc.assert(
      fc.property(catalogue, (tenants) => {
        const plan = planStack("prop", config(CLUSTERS[0]), tenants).foundation!;
        expect(plan.divisions.map((d) => d.division)).toEqual([...new Set(tenants.map((t) => t.division))].sort());
        for (const d of plan.divisions) {
          expect(d.policy.rules).toEqual([{ path: `secret/data/apps/${d.division}/*`, capabilities: ["read"] }]);
        }
      }),
      RUNS,
    );
  });
});
