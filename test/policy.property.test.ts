// Property-based tests of the pack over generated tenant catalogues (seed 004 style:
// >= 100 runs each, tagged). The program runs under the mock runtime for every case.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runOffline } from "../preview/mock";
import { evaluatePack } from "../preview/evaluate";
import { catalogue, CLUSTERS, soloStackValues } from "./arbitraries";
import { ROOT } from "./helpers";
import { MUTATIONS } from "./mutations";

const RUNS = { numRuns: 100 };

async function registered(tenants: unknown, cluster: string, quayPull: boolean) {
  const values = soloStackValues(cluster, { pullSecrets: { quayPull } });
  // The cluster's own stack with these values: a stack of another name would manage the same
  // cluster as the shipped stack file of that cluster, which the loader refuses.
  return (await runOffline({ root: ROOT, stack: cluster, values, tenantsData: { tenants } })).resources;
}

describe("policy pack properties", () => {
  it("Feature: platform-secrets, Property 4: for any valid tenant catalogue the program's resources pass the pack", async () => {
    await fc.assert(
      fc.asyncProperty(catalogue, fc.constantFrom(...CLUSTERS), fc.boolean(), async (tenants, cluster, quayPull) => {
        const violations = await evaluatePack(await registered(tenants, cluster, quayPull));
        expect(violations).toEqual([]);
      }),
      RUNS,
    );
  }, 300_000);

  it("Feature: platform-secrets, Property 5: any single bad change from the mutation catalogue is reported under the rule meant for it", async () => {
    let applied = 0;
    await fc.assert(
      fc.asyncProperty(catalogue, fc.constantFrom(...CLUSTERS), fc.constantFrom(...MUTATIONS), fc.nat(), async (tenants, cluster, mutation, pick) => {
        const resources = await registered(tenants, cluster, true);
        fc.pre(mutation.apply(resources, pick));
        applied++;
        const violations = await evaluatePack(resources);
        expect(violations.map((v) => v.policy), mutation.name).toContain(mutation.rule);
      }),
      { ...RUNS, maxSkipsPerRun: 100 },
    );
    // fc.pre skips cases where the generated stack has nothing to mutate; most must apply.
    expect(applied).toBeGreaterThanOrEqual(100);
  }, 300_000);
});
