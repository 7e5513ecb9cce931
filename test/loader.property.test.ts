// Issue 12: whatever is in the files, the loader answers with a ConfigError or a loaded stack,
// and a stack that fails to load registers nothing.
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { ConfigError } from "../model/configError";
import { loadStack } from "../model/load";
import { runOffline } from "../preview/mock";
import { edit, mutate } from "./arbitraries";
import { fixtureRoot, ROOT } from "./helpers";

const SHIPPED: Record<string, string> = Object.fromEntries(readdirSync(join(ROOT, "stacks")).map((f) => [`stacks/${f}`, readFileSync(join(ROOT, "stacks", f), "utf8")]));
const FILES = Object.keys(SHIPPED);
const STACKS = ["vault", "spoke-dc-v6", "spoke-dc-v7"] as const;

/** A random YAML document, sometimes shaped like the file it replaces. */
const document = fc.oneof(
  fc.anything().map((v) => stringify(v) ?? ""),
  fc.anything().map((v) => stringify({ config: v })),
  fc.dictionary(fc.constantFrom("platform-secrets:vault", "platform-secrets:cluster", "platform-secrets:tenantsFile", "platform-secrets:eso", "platfrom-secrets:vault", "vault:address"), fc.anything()).map((c) => stringify({ config: c })),
  fc.anything().map((v) => stringify({ tenants: [v] })),
  fc.string({ maxLength: 60 }),
);

const scenario = fc.record({
  stack: fc.constantFrom(...STACKS),
  file: fc.constantFrom(...FILES),
  content: fc.oneof(document, fc.tuple(fc.constantFrom(...FILES), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([f, edits]) => mutate(SHIPPED[f]!, edits))),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const root = fixtureRoot(SHIPPED);

/** Puts the shipped files back, then the scenario's one changed file. */
function apply(s: Scenario): void {
  for (const [file, text] of Object.entries(SHIPPED)) writeFileSync(join(root, file), text);
  writeFileSync(join(root, s.file), s.content);
}

function load(s: Scenario): ConfigError | undefined {
  apply(s);
  try {
    loadStack({ root, stack: s.stack });
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`loader threw ${String(err)} for ${JSON.stringify(s)}`, { cause: err });
  }
}

describe("Feature: platform-secrets, Property 12.1: bad input only ever yields one sorted ConfigError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("holds for random documents and random mutations of the shipped files (1000 runs)", () => {
    let failures = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const err = load(s);
        if (!err) return;
        failures++;
        expect(err.issues.length).toBeGreaterThan(0);
        for (const issue of err.issues) {
          expect(issue.key.length).toBeGreaterThan(0);
          expect(issue.message.length).toBeGreaterThan(0);
          // Only a file that is not there has no line to point at.
          if (issue.line === undefined) expect(issue.message).toMatch(/not found/);
        }
        const order = err.issues.map((i) => [i.file, i.line ?? 0] as const);
        const sorted = [...order].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
        expect(order).toEqual(sorted);
      }),
      { numRuns: 1000 },
    );
    // The generators must actually reach the error paths, or the property proves nothing.
    expect(failures).toBeGreaterThan(500);
  });

  it("a stack that fails to load sets up no runtime, so registers nothing", async () => {
    const setMocks = vi.spyOn(pulumi.runtime, "setMocks");
    const failing = fc.sample(scenario, { numRuns: 200, seed: 12 }).filter((s) => load(s) !== undefined).slice(0, 15);
    expect(failing.length).toBe(15);
    for (const s of failing) {
      apply(s);
      await expect(runOffline({ root, stack: s.stack })).rejects.toBeInstanceOf(ConfigError);
    }
    expect(setMocks).not.toHaveBeenCalled();
  });

  it("the spy would see a run that gets past loading", async () => {
    for (const [file, text] of Object.entries(SHIPPED)) writeFileSync(join(root, file), text);
    const setMocks = vi.spyOn(pulumi.runtime, "setMocks");
    await runOffline({ root, stack: "vault" });
    expect(setMocks).toHaveBeenCalledTimes(1);
  });
});
