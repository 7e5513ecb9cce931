// The reference ACL evaluator (policy/acl.ts) against a real OpenBao server: generated
// policies written to the server, a token holding them, and `sys/capabilities` asked for
// every path of a complete universe. Zero disagreements expected; the count is printed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capability } from "../../model/vaultPolicy";
import { capabilitiesAt, compileAcl } from "../../policy/acl";
import { DevServer, findServerBinary, NO_SERVER_BINARY, SERVER_SUITES_SKIPPED } from "./server";
import { VaultClient } from "./vaultClient";

const TOKENS = Number(process.env.ACL_CROSSCHECK_TOKENS ?? 300);
const LITERALS = ["pay", "pay-roll", "ops"];
const VALUES = ["pay", "pay-roll", "ops", "payzz", "pay-rollzz", "opszz", "zz"];
const CAPS: Capability[] = ["create", "read", "update", "list", "sudo", "deny"];

const binary = findServerBinary();
if (!binary) console.warn(`OpenBao ACL cross-check skipped: ${SERVER_SUITES_SKIPPED ?? NO_SERVER_BINARY}`);

const path = fc
  .tuple(fc.array(fc.constantFrom(...LITERALS, "+"), { minLength: 1, maxLength: 3 }), fc.constantFrom("none", "inSegment", "afterSlash"))
  .map(([segs, end]) => {
    const p = segs.join("/");
    if (end === "inSegment") return `${p}*`;
    if (end === "afterSlash" && segs.length < 3) return `${p}/*`;
    return p;
  })
  // OpenBao refuses `+*` when the policy is written (vault-policy-glob reports it too).
  .filter((p) => !p.includes("+*"));
const policy = fc.array(fc.record({ path, capabilities: fc.subarray(CAPS, { minLength: 1 }) }), { minLength: 1, maxLength: 4 });
const token = fc.array(policy, { minLength: 1, maxLength: 3 });

function universe(depth: number): string[] {
  const out: string[] = [];
  const walk = (prefix: string[]) => {
    if (prefix.length) out.push(prefix.join("/"));
    if (prefix.length < depth) for (const v of VALUES) walk([...prefix, v]);
  };
  walk([]);
  return out;
}

describe.skipIf(!binary)(`reference ACL evaluator vs OpenBao sys/capabilities${binary ? "" : ` (skipped: no OpenBao binary)`}`, () => {
  let server: DevServer;
  let vault: VaultClient;

  beforeAll(async () => {
    server = new DevServer(binary!);
    await server.start();
    vault = new VaultClient(server.address, server.token);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("agrees on every (policy set, path) pair", async () => {
    const paths = universe(4);
    const samples = fc.sample(token, { numRuns: TOKENS, seed: 7 });
    let compared = 0;
    const disagreements: string[] = [];
    for (const [t, policies] of samples.entries()) {
      const names = policies.map((_, i) => `x-${t}-${i}`);
      for (const [i, rules] of policies.entries()) {
        const hcl = rules.map((r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");
        await vault.must("PUT", `sys/policies/acl/${names[i]}`, { policy: hcl });
      }
      const created = await vault.must("POST", "auth/token/create", { policies: names, no_default_policy: true, ttl: "10m" });
      // OpenBao refuses a JSON body with a list of 1,000 or more entries ("error parsing JSON").
      const answer: Record<string, any> = {};
      for (let i = 0; i < paths.length; i += 500) {
        const part = await vault.must("POST", "sys/capabilities", { token: created.auth.client_token, paths: paths.slice(i, i + 500) });
        Object.assign(answer, part.data ?? part);
      }
      const acl = compileAcl(policies.flatMap((rules, i) => rules.map((r) => ({ ...r, source: names[i]! }))));
      for (const p of paths) {
        compared++;
        const mine = capabilitiesAt(acl, p);
        const theirs = [...(answer[p] as string[])].sort();
        const expected = mine.length ? mine : ["deny"];
        if (JSON.stringify(expected) !== JSON.stringify(theirs)) disagreements.push(`${p} under ${JSON.stringify(policies)}: evaluator ${expected.join(",")}, OpenBao ${theirs.join(",")}`);
      }
    }
    console.log(`ACL cross-check on OpenBao ${await server.version()}: ${compared} (policy set, path) pairs over ${samples.length} tokens, ${disagreements.length} disagreements`);
    expect(disagreements.slice(0, 10)).toEqual([]);
  }, 600_000);
});
