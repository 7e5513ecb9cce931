// The adversarial catalogue: hand-written program fragments previewed with a shipped stack.
// Each bad one must be reported by its rule with a message naming the principal, path or
// resource; each good one must pass the whole pack.
import { describe, expect, it } from "vitest";
import { runOffline } from "../preview/mock";
import { evaluatePack } from "../preview/evaluate";
import { BAD, type Fragment } from "./adversarial/bad";
import { GOOD } from "./adversarial/good";
import { ROOT } from "./helpers";

async function preview(f: Fragment) {
  const { resources } = await runOffline({ root: ROOT, stack: f.stack, fragment: f.fragment });
  return evaluatePack(resources, f.config ?? {});
}

describe("adversarial catalogue", () => {
  it("holds at least 60 bad and 20 good fragments, each named once", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(60);
    expect(GOOD.length).toBeGreaterThanOrEqual(20);
    const names = [...BAD, ...GOOD].map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(BAD.map((f) => [f.name, f] as const))("bad: %s", async (_name, f) => {
    const violations = await preview(f);
    const mine = violations.filter((v) => v.policy === f.rule);
    expect(mine.map((v) => v.message), JSON.stringify(violations.map((v) => `${v.policy}: ${v.message}`), null, 1)).toContainEqual(expect.stringMatching(f.message));
  });

  it.each(GOOD.map((f) => [f.name, f] as const))("good: %s", async (_name, f) => {
    const violations = await preview(f);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});
