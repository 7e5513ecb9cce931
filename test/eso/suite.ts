// The seeds' validation, for real: the ESO controller reconciles every secret each shipped
// cluster stack declares, on a platform a BringUp made (platform.ts), and the seeds' failure
// modes happen for real. `describeEsoSuite` registers the tests; test/eso/eso.test.ts runs them on
// the offline render, an end-to-end suite can run them after its own `pulumi up`.
//
// The stacks share one Vault, and keys under apps/ (CI robots, canaries) are read by every cluster
// a tenant runs on. So the tests run in phases, each phase on every stack: first delivery is
// checked everywhere, then values are rotated, then failures are made; a stack's rotation never
// lands between another stack's delivery checks.
import { afterAll, beforeAll, describe } from "vitest";
import { loadStack } from "../../model/load";
import { ROOT } from "../helpers";
import { expectedNow, log, seconds, shippedPlan, waitSynced, type StackRun, type StackTests } from "./context";
import { EsoController } from "./controller";
import { deliveryTests } from "./delivery";
import { failureTests } from "./failures";
import { clusterValues, tlsMaterial, writeValues, type KvSecret } from "./kv";
import { waitFor } from "./observe";
import { shippedClusterStacks, type BringUp, type EsoPlatform } from "./platform";
import { rotationTests } from "./rotation";

export interface EsoSuiteOptions {
  bringUp: BringUp;
  controllerBinary: string;
}

export function describeEsoSuite(title: string, opts: EsoSuiteOptions): void {
  const stacks = shippedClusterStacks();
  describe(title, () => {
    let platform: EsoPlatform | undefined;
    const runs = new Map<string, StackRun>();

    beforeAll(async () => {
      const t0 = Date.now();
      platform = await opts.bringUp();
      log(`platform up in ${seconds(t0)}: ${platform.stacks.map((s) => `${s.stack} on ${s.cluster.server}`).join(", ")}; Vault ${platform.vault.address}${platform.replica ? `, read replica ${platform.replica.address}` : ""}`);
      // Keys two stacks read (apps/…) are written once, as one platform admin would.
      const values = new Map<string, KvSecret>();
      for (const d of platform.stacks) {
        const plan = loadStack({ root: ROOT, stack: d.stack, values: d.values }).plan.cluster!;
        const run: StackRun = { d, cluster: d.cluster, plan, kvMount: plan.vault.kvMount, controller: new EsoController(opts.controllerBinary, d.cluster) };
        for (const v of clusterValues(plan, await tlsMaterial(plan.config.name))) if (!values.has(v.key)) values.set(v.key, v);
        runs.set(d.stack, run);
      }
      await writeValues(platform.vault, [...runs.values()][0]!.kvMount, [...values.values()]);
      log(`wrote ${values.size} KV secrets (${[...values.values()].reduce((n, v) => n + Object.keys(v.data).length, 0)} fields)`);
      const t1 = Date.now();
      await Promise.all([...runs.values()].map((r) => r.controller.start()));
      log(`controllers started in ${seconds(t1)}`);
      await Promise.all(
        [...runs.values()].map(async (run) => {
          // Values a PushSecret generates reach Vault only once the controller has pushed them.
          let missing = "";
          const expected = await waitFor(
            `${run.d.stack}: every value the expected Secrets are made of is in Vault`,
            async () => {
              try {
                return await expectedNow(platform!.vault, run);
              } catch (err) {
                missing = String(err);
                return undefined;
              }
            },
            () => missing,
            120_000,
          );
          await waitSynced(run, expected);
          log(`${run.d.stack}: ${expected.length} ExternalSecrets SecretSynced ${seconds(t1)} after the controllers started`);
        }),
      );
    }, 900_000);

    afterAll(async () => {
      await Promise.all([...runs.values()].map((r) => r.controller.stop()));
      await platform?.stop();
    });

    const eachStack = (register: (t: StackTests) => void) => {
      for (const stack of stacks) {
        describe(stack, () =>
          register({
            stack,
            shipped: shippedPlan(stack),
            run: () => {
              const r = runs.get(stack);
              if (!r) throw new Error(`${stack} was not brought up`);
              return r;
            },
            vault: () => platform!.vault,
            replica: () => platform!.replica,
          }),
        );
      }
    };
    describe("delivery: every declared object Ready, every Secret where it belongs and exact", () => eachStack(deliveryTests));
    // The clock, driven: ESO refreshes an ExternalSecret or PushSecret when status.refreshTime +
    // refreshInterval has passed. The tests move refreshTime back (status subresource) instead of
    // waiting, keeping the stack's own intervals (720h for a JWT signing key), and restart the
    // controller: a fresh process lists and reconciles every object once.
    describe("refresh and rotation on the stacks' own intervals", () => eachStack(rotationTests));
    describe("failure modes of the seeds, for real", () => eachStack(failureTests));
  });
}
