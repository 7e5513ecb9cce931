// The pack shares one conversion of a request's properties among its policies
// (policy/sharedProperties.ts). Checked against @pulumi/policy's own analyzer server as
// installed, and, because the policies then share values, that no rule writes to them.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import structproto from "google-protobuf/google/protobuf/struct_pb.js";
import anproto from "@pulumi/pulumi/proto/analyzer_pb.js";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RULES } from "../policy/rules";
import type { ResourceView } from "../policy/shapes";
import { shareDeserializedProperties } from "../policy/sharedProperties";
import { runOffline } from "../preview/mock";
import { plain, UNKNOWN, type RegisteredResource } from "../preview/record";
import { ROOT } from "./helpers";
import { MUTATIONS } from "./mutations";

const require = createRequire(import.meta.url);
type Rpc = (call: { request: unknown }, done: (err: unknown, res: unknown) => void) => Promise<void>;
const server = require("@pulumi/policy/server") as {
  makeAnalyzeRpcFun(pack: string, version: string, level: string, policies: ResourceValidationPolicy[]): Rpc;
  makeAnalyzeStackRpcFun(pack: string, version: string, level: string, policies: StackValidationPolicy[]): Rpc;
};

type Struct = InstanceType<typeof structproto.Struct>;

/** A Struct that counts how often it is converted to plain values. */
function countingStruct(value: Record<string, structproto.JavaScriptValue>): { struct: Struct; conversions: () => number } {
  const struct = structproto.Struct.fromJavaScript(value);
  let n = 0;
  const convert = struct.toJavaScript.bind(struct);
  struct.toJavaScript = () => {
    n++;
    return convert();
  };
  return { struct, conversions: () => n };
}

function call(rpc: Rpc, request: unknown): Promise<InstanceType<typeof anproto.AnalyzeResponse>> {
  return new Promise((resolve, reject) => void rpc({ request }, (err, res) => (err ? reject(err) : resolve(res as InstanceType<typeof anproto.AnalyzeResponse>))));
}

const options = () => new anproto.AnalyzerResourceOptions().setCustomtimeouts(new anproto.AnalyzerResourceOptions.CustomTimeouts());

describe("one conversion per request for all of the pack's policies", () => {
  it("@pulumi/policy converts per policy; with the sharing installed, once, and unknowns still reach each policy", async () => {
    const seen: string[] = [];
    const resourcePolicy = (name: string): ResourceValidationPolicy => ({
      name,
      description: name,
      enforcementLevel: "mandatory",
      validateResource: (args) => {
        seen.push(`${name}:${(args.props as { spec: { name: string } }).spec.name}`);
        void (args.props as { later: unknown }).later;
      },
    });
    const stackPolicy = (name: string): StackValidationPolicy => ({
      name,
      description: name,
      enforcementLevel: "mandatory",
      validateStack: (args) => void seen.push(`${name}:${args.resources.map((r) => (r.props as { spec: { name: string } }).spec.name).join(",")}`),
    });
    const resources = ["a", "b"].map((n) => countingStruct({ spec: { name: n }, later: UNKNOWN }));
    const analyze = server.makeAnalyzeRpcFun("p", "1", "mandatory", ["r1", "r2", "r3"].map(resourcePolicy));
    const analyzeStack = server.makeAnalyzeStackRpcFun("p", "1", "mandatory", ["s1", "s2"].map(stackPolicy));
    const analyzeRequest = (s: Struct) => new anproto.AnalyzeRequest().setUrn("urn:x").setType("t:x:X").setName("x").setProperties(s).setOptions(options());
    const stackRequest = () =>
      new anproto.AnalyzeStackRequest().setResourcesList(resources.map(({ struct }, i) => new anproto.AnalyzerResource().setUrn(`urn:${i}`).setType("t:x:X").setName(`${i}`).setProperties(struct).setOptions(options())));

    const unshared = await call(analyze, analyzeRequest(resources[0]!.struct));
    await call(analyzeStack, stackRequest());
    // What the sharing is for: the server converts the same Struct once per policy.
    expect(resources.map((r) => r.conversions())).toEqual([3 + 2, 2]);

    expect(shareDeserializedProperties()).toBe(true);
    const shared = await call(analyze, analyzeRequest(resources[1]!.struct));
    await call(analyzeStack, stackRequest());
    expect(resources.map((r) => r.conversions())).toEqual([3 + 2 + 1, 2 + 1]);

    expect(seen).toEqual(["r1:a", "r2:a", "r3:a", "s1:a,b", "s2:a,b", "r1:b", "r2:b", "r3:b", "s1:a,b", "s2:a,b"]);
    // Each policy still reads through its own unknown-checking proxy: all three say they cannot run.
    const cannotRun = (res: InstanceType<typeof anproto.AnalyzeResponse>) => res.getDiagnosticsList().map((d) => [d.getPolicyname(), /can't run .* during preview/.test(d.getMessage())]);
    expect(cannotRun(shared)).toEqual(cannotRun(unshared));
    expect(cannotRun(shared)).toEqual([["r1", true], ["r2", true], ["r3", true]]);
    // Installing twice keeps one layer of sharing.
    expect(shareDeserializedProperties()).toBe(true);
  });

  it("a module without the export, or no module, is left alone", () => {
    const mod = { deserializeProperties: undefined as unknown as (s: object, p: boolean) => unknown };
    expect(shareDeserializedProperties(mod)).toBe(false);
    expect(mod.deserializeProperties).toBeUndefined();
    expect(shareDeserializedProperties(null)).toBe(false);
  });
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Every rule over `resources` as the engine hands them (inputs per resource, outputs to stack rules). */
async function findings(resources: readonly RegisteredResource[], freeze: boolean): Promise<string[]> {
  const managed = resources.filter((r) => !r.read);
  const views = (side: "inputs" | "outputs"): ResourceView[] =>
    managed.map((r) => {
      const props = plain(r[side]) as Record<string, unknown>;
      return { type: r.type, urn: r.urn, name: r.name, props: freeze ? deepFreeze(props) : props, protect: r.protect };
    });
  // Every rule gets the same values, as the policies of one request now do.
  const inputs = views("inputs");
  const outputs = views("outputs");
  const found: string[] = [];
  for (const rule of RULES) {
    const report = (message: string, urn?: string) => void found.push(`${rule.name} ${urn ?? ""} ${message}`);
    if (rule.checkResource) for (const v of inputs) await rule.checkResource(v, {}, (m, u) => report(m, u ?? v.urn));
    if (rule.checkStack) await rule.checkStack(outputs, {}, report);
  }
  return found;
}

describe("no rule writes to the values it is given", () => {
  // A write to a frozen value throws in these strict-mode modules, failing the run.
  it.each(["vault", "spoke-dc-v6", "spoke-dc-v7"])("%s and every mutation of it: each rule reports the same on frozen values as on fresh ones", async (stack) => {
    const { resources } = await runOffline({ root: ROOT, stack });
    expect(await findings(resources, true)).toEqual(await findings(resources, false));
    let reported = 0;
    for (const mutation of MUTATIONS) {
      const mutated = structuredClone(resources);
      if (!mutation.apply(mutated, 0)) continue;
      const frozen = await findings(mutated, true);
      expect(frozen, mutation.name).toEqual(await findings(mutated, false));
      reported += frozen.length;
    }
    if (stack !== "vault") expect(reported).toBeGreaterThan(0);
  });
});
