// The real runners against the in-process paths: the program on @pulumi/pulumi/cmd/run (as the
// language host starts it) registers what it registers under the mock runtime, and the pack on
// run-policy-pack, driven over the Analyzer protocol, finds what the in-process evaluator finds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluatePack } from "../preview/evaluate";
import { PolicyPackProcess } from "../preview/engine/analyzer";
import { RecordingEngine } from "../preview/engine/monitor";
import { readProject, stackConfigEnv } from "../preview/engine/project";
import { runOffline } from "../preview/mock";
import { containsUnknown, plain, UNKNOWN, type RegisteredResource } from "../preview/record";
import { ORGANIZATION, previewStack, stackFile, type PreviewResult } from "../preview/run";
import { invokeAnswer } from "../preview/standIns";
import { ROOT } from "./helpers";
import { MUTATIONS } from "./mutations";

const STACKS = ["vault", "spoke-dc-v6", "spoke-dc-v7"];
const PACK_DIR = `${ROOT}/policy`;
const wire: Record<string, PreviewResult> = {};

beforeAll(async () => {
  for (const stack of STACKS) wire[stack] = await previewStack({ root: ROOT, stack, pack: { dir: PACK_DIR, config: {} } });
}, 600_000);

/** Inputs without the values the engine could not know in a preview (the mock runtime invents them). */
function knownInputs(r: RegisteredResource): Record<string, unknown> {
  return Object.fromEntries(Object.entries(plain(r.inputs)).filter(([, v]) => !containsUnknown(v)));
}

/**
 * A resource's identity independent of URN spelling: the chain of (type, name) up to the stack.
 * The engine qualifies a URN's type with every ancestor's; the SDK's mock monitor with the parent's only.
 */
function identities(resources: readonly RegisteredResource[]): (urn: string | undefined) => string | undefined {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const id = (urn: string | undefined): string | undefined => {
    const r = urn ? byUrn.get(urn) : undefined;
    if (!r || r.type === "pulumi:pulumi:Stack") return undefined;
    const parent = id(r.parent);
    return `${parent ? `${parent} > ` : ""}${r.type}::${r.name}`;
  };
  return id;
}

function comparable(r: RegisteredResource, id: (urn: string | undefined) => string | undefined) {
  return { id: id(r.urn), type: r.type, custom: r.custom, protect: r.protect, read: r.read, parent: id(r.parent), dependencies: r.dependencies.map(id).sort() };
}

describe("the program on Pulumi's runner", () => {
  it.each(STACKS)("%s: cmd/run registers exactly what the mock runtime registers", async (stack) => {
    const mock = await runOffline({ root: ROOT, stack });
    const real = wire[stack]!.resources;
    // The engine adds the root stack and default providers itself; the mock runtime has neither.
    const ours = real.filter((r) => r.type !== "pulumi:pulumi:Stack" && !/::pulumi:providers:\w+::default/.test(r.urn));
    const realId = identities(real);
    const mockId = identities(mock.resources);
    expect(ours.map((r) => realId(r.urn)).sort()).toEqual(mock.resources.map((r) => mockId(r.urn)).sort());
    for (const r of ours) {
      const m = mock.resources.find((x) => mockId(x.urn) === realId(r.urn))!;
      expect(comparable(r, realId), r.urn).toEqual(comparable(m, mockId));
      const known = knownInputs(r);
      expect(known, r.urn).toEqual(Object.fromEntries(Object.keys(known).map((k) => [k, plain(m.inputs)[k]])));
    }
    expect(ours.length).toBeGreaterThan(10);
  });

  it("config reaches the program the way the language host passes it (PULUMI_CONFIG, <ns>:config:<name>)", () => {
    const v7 = wire["spoke-dc-v7"]!;
    const canary = v7.resources.find((r) => r.name.endsWith("vault-apps-canary") && r.type.endsWith(":ExternalSecret"))!;
    expect((plain(canary.inputs) as { spec: { refreshInterval: string } }).spec.refreshInterval).toBe("30m");
    expect(v7.program.argv).toContain("--dry-run");
    expect(v7.program.argv.at(-1)).toBe("index.ts");
  });

  it("values only a real cluster knows stay unknown in the record, as in a real preview", () => {
    const config = wire["spoke-dc-v6"]!.resources.find((r) => r.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig")!;
    expect(containsUnknown(config.inputs.tokenReviewerJwt)).toBe(true);
    expect(plain(config.inputs).tokenReviewerJwt).toBe(UNKNOWN);
  });

  it("asks the engine whether `default` exists (ExistsResource) and reads it where it does, as under the mock runtime", async () => {
    const ns = "apps-payments-checkout-api-dev";
    const live = { [`${ns}/default`]: ["default-dockercfg-x7k2p"] };
    const real = await previewStack({ root: ROOT, stack: "spoke-dc-v6", liveServiceAccounts: live });
    const mock = await runOffline({ root: ROOT, stack: "spoke-dc-v6", liveServiceAccounts: live });
    const pullSecretsOf = (rs: readonly RegisteredResource[]) =>
      Object.fromEntries(
        rs.filter((r) => r.type === "kubernetes:core/v1:ServiceAccountPatch").map((r) => {
          const i = plain(r.inputs) as { metadata: { namespace: string }; imagePullSecrets: Array<{ name: string }> };
          return [i.metadata.namespace, i.imagePullSecrets.map((s) => s.name)];
        }),
      );
    const reads = (rs: readonly RegisteredResource[]) => rs.filter((r) => r.read && r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.name);
    expect(reads(real.resources)).toEqual([`${ns}-default-live`]);
    expect(reads(mock.resources)).toEqual(reads(real.resources));
    const wired = pullSecretsOf(real.resources);
    expect(wired[ns]).toEqual(["default-dockercfg-x7k2p", ...pullSecretsOf(wire["spoke-dc-v6"]!.resources)[ns]!]);
    expect(wired).toEqual(pullSecretsOf(mock.resources));
  });

  it("exports the typed outputs as the root stack's outputs", () => {
    const outputs = wire["spoke-dc-v6"]!.outputs as { cluster?: { authPath?: string } };
    expect(outputs.cluster?.authPath).toBe("spoke-dc-v6-k8s");
  });
});

describe("the pack over the Analyzer protocol", () => {
  let pack: PolicyPackProcess;
  let engine: RecordingEngine;

  beforeAll(async () => {
    engine = new RecordingEngine({ project: "platform-secrets", stack: "spoke-dc-v6", stackOutputs: () => undefined, invoke: invokeAnswer });
    const address = await engine.start();
    const env = stackConfigEnv(ROOT, stackFile(readProject(ROOT), "spoke-dc-v6"), "platform-secrets");
    pack = await PolicyPackProcess.start(PACK_DIR, address, { organization: ORGANIZATION, project: "platform-secrets", stack: "spoke-dc-v6", env });
    await pack.configure({});
  }, 120_000);

  afterAll(async () => {
    await pack?.stop();
    await engine?.stop();
  });

  const key = (f: { policy: string; enforcementLevel: string; urn?: string; message: string }) => `${f.policy}|${f.enforcementLevel}|${f.urn ?? ""}|${f.message}`;

  it("declares every policy of the pack with its level and config schema", async () => {
    const info = await pack.info();
    expect(info.name).toBe("platform-secrets-guard");
    expect(info.policies.length).toBeGreaterThanOrEqual(20);
    expect(info.policies.find((p) => p.name === "auth-role-scope")?.configSchema?.properties).toHaveProperty("maxTokenTtlSeconds");
  });

  it.each(STACKS)("%s: the wire and the in-process rules agree (and the shipped stack passes)", async (stack) => {
    const resources = wire[stack]!.resources;
    const overWire = await pack.analyze(resources);
    expect(overWire.filter((f) => f.enforcementLevel === "mandatory")).toEqual([]);
    expect(overWire.map(key).sort()).toEqual((await evaluatePack(resources)).map(key).sort());
  });

  it("a provider leaving a non-Kubernetes `metadata` unknown (seen under the real engine) is no finding", async () => {
    const resources = structuredClone(wire["vault"]!.resources);
    const group = resources.find((r) => r.type === "vault:identity/group:Group")!;
    group.outputs.metadata = UNKNOWN;
    expect(await pack.analyze(resources)).toEqual([]);
  });

  it("agree on the whole mutation catalogue, each mutation caught over the wire by its rule", async () => {
    let applied = 0;
    for (const mutation of MUTATIONS) {
      const resources = structuredClone(wire["spoke-dc-v6"]!.resources);
      if (!mutation.apply(resources, 0)) continue;
      applied++;
      const overWire = await pack.analyze(resources);
      expect(overWire.some((f) => f.policy === mutation.rule), mutation.name).toBe(true);
      expect(overWire.map(key).sort(), mutation.name).toEqual((await evaluatePack(resources)).map(key).sort());
    }
    expect(applied).toBeGreaterThan(MUTATIONS.length / 2);
  });
});
