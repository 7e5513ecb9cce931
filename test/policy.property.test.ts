// Property-based tests of the pack over generated tenant catalogues (seed 004 style:
// >= 100 runs each, tagged). The program runs under the mock runtime for every case.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runOffline } from "../preview/mock";
import { evaluatePack } from "../preview/evaluate";
import type { Tenant } from "../model/tenants";
import { catalogue, CLUSTERS, soloStackValues } from "./arbitraries";
import { harmful, harmless, tenantNamespaces, type Extra } from "./extras";
import { ROOT } from "./helpers";
import { MUTATIONS } from "./mutations";

const RUNS = { numRuns: 100 };

async function registered(tenants: unknown, cluster: string, quayPull: boolean, extras: readonly Extra[] = []) {
  const values = soloStackValues(cluster, { pullSecrets: { quayPull } });
  // The cluster's own stack with these values: a stack of another name would manage the same
  // cluster as the shipped stack file of that cluster, which the loader refuses.
  return (await runOffline({ root: ROOT, stack: cluster, values, tenantsData: { tenants }, fragment: () => extras.forEach((e) => e.add()) })).resources;
}

/** A catalogue deployed to a cluster, with hand-written extras drawn over its namespaces. */
function withExtras(pick: (namespaces: ReturnType<typeof tenantNamespaces>, cluster: string, other: string) => fc.Arbitrary<Extra[]>) {
  return fc
    .tuple(catalogue, fc.constantFrom(...CLUSTERS))
    .filter(([tenants, cluster]) => tenantNamespaces(tenants, cluster).length > 0)
    .chain(([tenants, cluster]) => {
      const other = CLUSTERS.find((c) => c !== cluster)!;
      return pick(tenantNamespaces(tenants, cluster), cluster, other).map((extras): [Tenant[], string, Extra[]] => [tenants, cluster, extras]);
    });
}

describe("policy pack properties", () => {
  it("Feature: platform-secrets, Property 4: for any valid tenant catalogue the program's resources, with any harmless hand-written extras of the kinds the pack judges, pass the pack", async () => {
    await fc.assert(
      fc.asyncProperty(withExtras((namespaces, cluster) => fc.array(harmless(namespaces, cluster), { maxLength: 4 })), fc.boolean(), async ([tenants, cluster, extras], quayPull) => {
        const violations = await evaluatePack(await registered(tenants, cluster, quayPull, extras));
        expect(violations, extras.map((e) => e.what).join("; ")).toEqual([]);
      }),
      RUNS,
    );
  }, 300_000);

  it("Feature: platform-secrets, Property 13: any harmful hand-written resource of issue 24's families, added to any generated program, is reported under the rule meant for it", async () => {
    await fc.assert(
      fc.asyncProperty(withExtras((namespaces, cluster, other) => harmful(namespaces, cluster, other).map((e) => [e])), async ([tenants, cluster, [extra]]) => {
        const violations = await evaluatePack(await registered(tenants, cluster, true, [extra!]));
        expect(violations.map((v) => v.policy), extra!.what).toContain(extra!.rule);
      }),
      // Each case runs the whole program: report the first failing one rather than shrink it.
      { ...RUNS, endOnFailure: true },
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
