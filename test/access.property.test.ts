// The access report and the pack's vault-effective-access agree, on generated catalogues whose
// policies are then widened at random (the same records go to both): a principal is flagged by
// the pack exactly when its reach in the report leaves what the catalogue allows it, the pack's
// witness paths get the capabilities the report says, and the report's reach equals the policy
// texts' own ACL on every path of a complete universe. Each widened stack also gets up to three
// hand-written holders of its policies (approle, userpass user, LDAP group, token role, JWT role,
// some with token_no_default_policy): the report lists them with the pack's name and their kind,
// `default` unless disabled, and the pack flags them exactly when their reach leaves what anyone
// unknown to the catalogue may do.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aclOf, buildReport, resourceViews } from "../access/build";
import type { Principal } from "../access/types";
import * as naming from "../model/naming";
import { capabilitiesAt, compileAcl } from "../policy/acl";
import { buildModel } from "../policy/model";
import { ANY, allowedAcl, escapes } from "../policy/reach";
import { allowedRules, vaultEffectiveAccess, type AccessConfig, type Allowance } from "../policy/rules/access";
import { runOffline } from "../preview/mock";
import type { RegisteredResource } from "../preview/record";
import type { Capability } from "../model/vaultPolicy";
import { catalogue, CLUSTERS, soloStackValues } from "./arbitraries";
import { EXTRA_KINDS, extraResource, extras } from "./handWritten";
import { ROOT } from "./helpers";

const CATALOGUES = Number(process.env.ACCESS_PROPERTY_CATALOGUES ?? 12);
const MUTATIONS = 8;
const CONFIG: AccessConfig = { kvMount: "secret", adminPrefixes: ["apps", "ocp"], authPaths: {}, extraAllowed: [] };
const CAPS: Capability[] = ["read", "list", "update", "create", "deny"];

/** Rule paths under the KV mount, with `+` and trailing globs anywhere: what a careless edit adds. */
const SEGMENTS = [["secret"], ["data", "metadata"], ["apps", "ocp"], ["platform", "payments", "retail", "data-eng", "spoke-dc-v6"], ["x", "ci", "registries"]] as const;
const rulePath = fc
  .tuple(fc.integer({ min: 1, max: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), fc.array(fc.nat(4), { minLength: 5, maxLength: 5 }), fc.constantFrom("none", "inSegment", "afterSlash"))
  .map(([depth, plus, pick, end]) => {
    const segs = SEGMENTS.slice(0, depth).map((vals, i) => (plus[i] && i > 1 ? "+" : vals[pick[i]! % vals.length]!));
    const path = segs.join("/");
    return end === "inSegment" ? `${path}*` : end === "afterSlash" && depth < 5 ? `${path}/*` : path;
  });
const extraRules = fc.array(fc.record({ path: rulePath, capabilities: fc.subarray(CAPS, { minLength: 1 }) }), { minLength: 1, maxLength: 3 });

const hcl = (rules: ReadonlyArray<{ path: string; capabilities: readonly string[] }>) => rules.map((r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");

function widened(resources: readonly RegisteredResource[], policy: string, rules: ReadonlyArray<{ path: string; capabilities: readonly string[] }>): RegisteredResource[] {
  return resources.map((r) => {
    if (r.type !== "vault:index/policy:Policy" || r.outputs.name !== policy) return r;
    const text = `${String(r.outputs.policy)}\n${hcl(rules)}`;
    return { ...r, inputs: { ...r.inputs, policy: text }, outputs: { ...r.outputs, policy: text } };
  });
}

/** What the catalogue allows each principal, the way the pack names them in its messages. */
function allowanceOf(p: Principal, cluster: string, model: ReturnType<typeof buildModel>): { subject: string; allowance: Allowance } | undefined {
  // A hand-written holder is no principal the catalogue knows; the pack names it as it names what handed out its policies.
  if (Object.values(EXTRA_KINDS).includes(p.kind as (typeof EXTRA_KINDS)[keyof typeof EXTRA_KINDS])) return { subject: p.grantedBy, allowance: { kind: "unknown" } };
  if (p.kind === "identity-group") return { subject: p.name.replace(/^group /, "identity.Group "), allowance: { kind: "admin", env: p.group!.name.slice(naming.adminGroup("").length) } };
  const sa = p.serviceAccount;
  if (!sa) return undefined;
  const subject = `ServiceAccount ${sa.namespace}/${sa.name}`;
  const tenant = model.tenants.get(sa.namespace);
  if (tenant?.division && sa.name === naming.TENANT_SERVICE_ACCOUNT) return { subject, allowance: { kind: "tenant", division: tenant.division } };
  if (sa.namespace === naming.PIPELINES_NAMESPACE && sa.name === naming.PIPELINES_SERVICE_ACCOUNT) {
    const robots = [...new Set([...model.tenants.values()].filter((t) => t.division && t.app).map((t) => naming.ciRobotKey(t.division!, t.app!)))].sort();
    return { subject, allowance: { kind: "pipelines", cluster, robots } };
  }
  if (p.login?.role === naming.platformRole(cluster)) return { subject, allowance: { kind: "platform", cluster } };
  return undefined;
}

/** Every path of up to 5 segments over the rule alphabet, plus one unnamed value per position. */
function universe(): string[] {
  const out: string[] = [];
  const walk = (prefix: string[]) => {
    if (prefix.length) out.push(prefix.join("/"));
    const next = SEGMENTS[prefix.length];
    if (next) for (const v of [...next, "zz", `${next[0]}zz`]) walk([...prefix, v]);
  };
  walk([]);
  return out;
}

describe("access report vs the pack", () => {
  it("Feature: platform-secrets, Property 11: on generated catalogues with widened policies, the report's reach and vault-effective-access agree", async () => {
    const paths = universe();
    let cases = 0;
    let flagged = 0;
    let clean = 0;
    let extrasSeen = 0;
    await fc.assert(
      fc.asyncProperty(catalogue, fc.constantFrom(...CLUSTERS), fc.integer({ min: 1, max: 2 ** 30 }), async (tenants, cluster, seed) => {
        const onCluster = tenants.some((t) => cluster in t.deployments);
        fc.pre(onCluster);
        // Named after its cluster: the fleet check then compares it with the other shipped stacks, not with the one it stands in for.
        const run = await runOffline({ root: ROOT, stack: cluster, values: soloStackValues(cluster), tenantsData: { tenants } });
        const policyNames = run.resources.filter((r) => r.type === "vault:index/policy:Policy").map((r) => String(r.outputs.name));
        const mutations = fc.sample(fc.tuple(fc.constantFrom(...policyNames), extraRules, extras(policyNames)), { numRuns: MUTATIONS, seed });
        for (const [policy, rules, added] of mutations) {
          cases++;
          const resources = [...widened(run.resources, policy, rules), ...added.map((e) => extraResource(cluster, e))];
          const views = resourceViews(resources);
          const report = await buildReport({ stack: cluster, resources });
          const messages: string[] = [];
          await vaultEffectiveAccess.checkStack!(views, {}, (m) => messages.push(m));
          const model = buildModel(views);
          for (const e of added) {
            const p = report.principals.filter((x) => x.kind === EXTRA_KINDS[e.kind] && x.login && Object.values(x.login).includes(e.name));
            expect(p, `${e.kind} ${e.name}`).toHaveLength(1);
            expect(new Set(p[0]!.policies), `${e.kind} ${e.name}`).toEqual(new Set(e.noDefaultPolicy ? e.policies : [...e.policies, "default"]));
            extrasSeen++;
          }
          const compared = new Set<string>();
          for (const p of report.principals) {
            const acl = aclOf(p);
            // The report's reach is the ACL of its policies' rules, path by path (once per policy set).
            const key = JSON.stringify(p.policies);
            if (!compared.has(key)) {
              compared.add(key);
              const own = compileAcl(report.policies.filter((e) => p.policies.includes(e.name)).flatMap((e) => e.rules.map((r) => ({ path: r.path, capabilities: r.capabilities as Capability[], source: e.name }))));
              for (const path of paths) expect(capabilitiesAt(acl, path), `${p.id} ${path}`).toEqual(capabilitiesAt(own, path));
            }
            const judged = allowanceOf(p, cluster, model);
            if (!judged) continue;
            const mine = escapes(acl, allowedAcl(allowedRules(judged.allowance, CONFIG)));
            const theirs = messages.filter((m) => m.startsWith(`${judged.subject} (`) || m.startsWith(`${judged.subject} reaches`));
            expect(theirs.length > 0, `${p.id} after adding ${JSON.stringify(rules)} to ${policy}: pack says\n${theirs.join("\n")}\nreport escapes ${JSON.stringify(mine)}`).toBe(mine.length > 0);
            if (mine.length) flagged++;
            else clean++;
            for (const m of theirs) {
              const [, witness, extra] = /reaches (\S+) \(([^)]*)\)/.exec(m)!;
              const caps = capabilitiesAt(acl, witness!.split(ANY).join("zzq"));
              for (const c of extra!.split(", ")) expect(caps, `${p.id} ${witness}`).toContain(c);
            }
          }
        }
      }),
      { numRuns: CATALOGUES, seed: 11 },
    );
    console.log(`access report vs vault-effective-access: ${cases} widened stacks over ${CATALOGUES} generated catalogues, both agree on ${flagged} principals that escape and ${clean} that do not (${extrasSeen} hand-written approle/userpass/ldap/token/jwt holders)`);
    expect(flagged).toBeGreaterThan(0);
    expect(clean).toBeGreaterThan(0);
    expect(extrasSeen).toBeGreaterThan(0);
  }, 600_000);
});
