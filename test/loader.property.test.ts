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
import { fixtureRoot, ROOT } from "./helpers";

const SHIPPED: Record<string, string> = Object.fromEntries(readdirSync(join(ROOT, "stacks")).map((f) => [`stacks/${f}`, readFileSync(join(ROOT, "stacks", f), "utf8")]));
const FILES = Object.keys(SHIPPED);
const STACKS = ["vault", "spoke-dc-v6", "spoke-dc-v7"] as const;

/** Values a careless edit leaves behind: wrong types, YAML syntax, out-of-range and foreign text. */
const token = fc.oneof(
  fc.constantFrom("010", "true", "~", "", "[", "]", "{", "{a: 1}", "- x", "*a", "&a x", "!!binary x", "héllo wörld", "999.999.999.999/32", "../../../etc/x.yaml", "-1", "1e400", "0x1F", "spoke-dc-6", "'unterminated", '"\\u0000"', "<<: *a", ":", "#"),
  fc.string({ maxLength: 12 }),
);

/** One line edit; `with` and `text` are used by the kinds that need them. */
interface Edit {
  kind: "delete" | "duplicate" | "indent" | "dedent" | "swap" | "value" | "insert";
  at: number;
  with: number;
  text: string;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom("delete" as const, "duplicate" as const, "indent" as const, "dedent" as const, "swap" as const, "value" as const, "insert" as const),
  at: fc.nat(),
  with: fc.nat(),
  text: token,
});

function mutate(text: string, edits: readonly Edit[]): string {
  const lines = text.split("\n");
  for (const e of edits) {
    const i = e.at % lines.length;
    const line = lines[i]!;
    if (e.kind === "delete") lines.splice(i, 1);
    else if (e.kind === "duplicate") lines.splice(i, 0, line);
    else if (e.kind === "indent") lines[i] = `  ${line}`;
    else if (e.kind === "dedent") lines[i] = line.replace(/^ {1,2}/, "");
    else if (e.kind === "swap") [lines[i], lines[e.with % lines.length]] = [lines[e.with % lines.length]!, line];
    else if (e.kind === "insert") lines.splice(i, 0, e.text);
    else lines[i] = line.includes(":") ? `${line.slice(0, line.indexOf(":") + 1)} ${e.text}` : `${line.replace(/\S.*$/, "")}- ${e.text}`;
    if (lines.length === 0) lines.push("");
  }
  return lines.join("\n");
}

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
