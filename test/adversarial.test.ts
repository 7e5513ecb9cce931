// The adversarial catalogue: hand-written program fragments previewed with a shipped stack.
// Each bad one must be reported by its rule with a message naming the principal, path or
// resource, on the URN of a resource the fragment added (the intruder, never the program's
// object it collides with); each good one must pass the whole pack.
import { beforeAll, describe, expect, it } from "vitest";
import { runOffline } from "../preview/mock";
import { evaluatePack } from "../preview/evaluate";
import { BAD, type Fragment } from "./adversarial/bad";
import { GOOD } from "./adversarial/good";
import { ROOT } from "./helpers";

async function preview(f: Fragment) {
  const { resources } = await runOffline({ root: ROOT, stack: f.stack, fragment: f.fragment });
  return evaluatePack(resources, f.config ?? {});
}

/** URNs the program registers without any fragment, per shipped stack. */
const programUrns = new Map<string, Set<string>>();

beforeAll(async () => {
  for (const stack of new Set(BAD.map((f) => f.stack))) programUrns.set(stack, new Set((await runOffline({ root: ROOT, stack })).resources.map((r) => r.urn)));
});

describe("adversarial catalogue", () => {
  it("holds at least 60 bad and 20 good fragments, each named once, and several of each family", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(60);
    expect(GOOD.length).toBeGreaterThanOrEqual(20);
    const names = [...BAD, ...GOOD].map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const families = new Set(BAD.map((f) => f.family).filter((x) => x !== undefined));
    for (const family of families) expect(BAD.filter((f) => f.family === family).length, family).toBeGreaterThanOrEqual(4);
    const counts = [...families].map((family) => `${family} ${BAD.filter((f) => f.family === family).length}`);
    console.log(`adversarial: ${BAD.length} bad (${counts.join(", ")}, ${BAD.filter((f) => !f.family).length} of no family), ${GOOD.length} good`);
  });

  it.each(BAD.map((f) => [f.name, f] as const))("bad: %s", async (_name, f) => {
    const violations = await preview(f);
    const mine = violations.filter((v) => v.policy === f.rule);
    expect(mine.map((v) => v.message), JSON.stringify(violations.map((v) => `${v.policy}: ${v.message}`), null, 1)).toContainEqual(expect.stringMatching(f.message));
    const matching = mine.filter((v) => f.message.test(v.message));
    expect(
      matching.some((v) => v.urn !== undefined && !programUrns.get(f.stack)!.has(v.urn)),
      `reported on ${matching.map((v) => v.urn).join(", ")}, the program's own resources`,
    ).toBe(true);
  });

  it.each(GOOD.map((f) => [f.name, f] as const))("good: %s", async (_name, f) => {
    const violations = await preview(f);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});
