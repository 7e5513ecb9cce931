// A config error must leave the runner at once. The runner formats a RunError with
// util.inspect(colors) before printing its message; on Node 20/22 a source-mapped SDK frame in
// the stack made that loop to V8's string limit (seen: 32 s and 3 GB of RSS per failed preview).
import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { runError } from "../infra/runError";
import { PreviewError, previewStack } from "../preview/run";
import { fixtureProject, ownFoundationStack, SEED_TENANTS } from "./helpers";

describe("the program's RunError", () => {
  it("is a RunError with the operator's message and no stack frames for the runner's inspect to walk", () => {
    const err = runError("invalid configuration (1 problem):\n  stacks/Pulumi.x.yaml:5: platform-secrets:vault.egressCidrs: is required");
    expect(pulumi.RunError.isInstance(err)).toBe(true);
    expect(err.stack).not.toMatch(/\n\s+at /);
    expect(inspect(err, { colors: true })).toContain("platform-secrets:vault.egressCidrs: is required");
  });

  it("a config error on Pulumi's own runner ends without the runner's inspect running away (peak RSS of the program)", async () => {
    const root = fixtureProject({ "stacks/Pulumi.bad.yaml": ownFoundationStack({ "platform-secrets:vault": { address: "https://v:8200" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const failed = await previewStack({ root, stack: "bad", sampleRss: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(PreviewError);
    const { message, program } = failed as PreviewError;
    expect(message).toContain("platform-secrets:vault.egressCidrs");
    expect(program?.exitCode).toBe(32);
    // A healthy failed run peaks near 200 MB; the runaway inspect grew past 3 GB.
    expect(program?.peakRssMb).toBeGreaterThan(0);
    expect(program?.peakRssMb).toBeLessThan(800);
  });
});
