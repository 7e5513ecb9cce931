// Every config error path: each names the file, the line, the key path, and says what to change.
import { describe, expect, it } from "vitest";
import type { ConfigIssue } from "../model/configError";
import { loadStack } from "../model/load";
import { fixtureRoot, issuesIn, ownFoundationStack, SEED_TENANTS } from "./helpers";

function issuesOf(files: Record<string, string | object>, stack = "x"): ConfigIssue[] {
  return issuesIn(fixtureRoot(files), stack);
}

function only(issues: ConfigIssue[]): ConfigIssue {
  expect(issues, JSON.stringify(issues)).toHaveLength(1);
  return issues[0]!;
}

const STACK = "stacks/Pulumi.x.yaml";
const TENANTS = "stacks/tenants.yaml";

const stackYaml = (extra = "", vault = "    egressCidrs: [10.20.0.15/32]\n") => `config:
  platform-secrets:cluster:
    name: spoke-dc-v6
    apiServer: https://api.spoke-dc-v6.example:6443
  platform-secrets:vault:
    address: https://vault.example:8200
${vault}${extra}`;

describe("stack file", () => {
  it("accepts a minimal single-cluster stack", () => {
    const root = fixtureRoot({ [STACK]: stackYaml(), [TENANTS]: SEED_TENANTS });
    const loaded = loadStack({ root, stack: "x" });
    expect(loaded.config.cluster?.authPath).toBe("spoke-dc-v6-k8s");
    expect(loaded.config.vault.kvMount).toBe("secret");
    expect(loaded.plan.cluster?.tenants).toHaveLength(3);
  });

  it("rejects an unknown top-level key, naming file, line and key", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("  platform-secrets:colour: blue\n"), [TENANTS]: SEED_TENANTS }));
    expect(issue).toMatchObject({ file: STACK, line: 8, key: "platform-secrets:colour" });
    expect(issue.message).toMatch(/unknown key/);
  });

  it("rejects an unknown nested key", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("  platform-secrets:eso:\n    namspace: x\n"), [TENANTS]: SEED_TENANTS }));
    expect(issue).toMatchObject({ file: STACK, line: 9, key: "platform-secrets:eso.namspace" });
  });

  it("ignores other namespaces' keys (provider settings)", () => {
    const root = fixtureRoot({ [STACK]: stackYaml("  kubernetes:context: spoke\n  vault:skipTlsVerify: false\n"), [TENANTS]: SEED_TENANTS });
    expect(() => loadStack({ root, stack: "x" })).not.toThrow();
  });

  it.each([
    ["cluster name not DNS-1123", (s: string) => s.replace("name: spoke-dc-v6", "name: Spoke_DC"), "platform-secrets:cluster.name", 3, /not a DNS-1123 label/],
    ["plain-http API server", (s: string) => s.replace("https://api", "http://api"), "platform-secrets:cluster.apiServer", 4, /https:\/\//],
    ["bad Vault URL", (s: string) => s.replace("https://vault.example:8200", "vault.example"), "platform-secrets:vault.address", 6, /URL/],
    ["bad CIDR", (s: string) => s.replace("10.20.0.15/32", "10.20.0.15"), "platform-secrets:vault.egressCidrs[0]", 7, /CIDR/],
    ["negative TTL", (s: string) => `${s}    tokenTtlSeconds: -5\n`, "platform-secrets:vault.tokenTtlSeconds", 8, /too small/i],
    ["KV mount with a slash", (s: string) => `${s}    kvMount: a/b\n`, "platform-secrets:vault.kvMount", 8, /one path segment/],
  ])("rejects %s", (_label, edit, key, line, message) => {
    // A renamed cluster also leaves the catalogue's deployments to it unknown: checked separately.
    const issue = only(issuesOf({ [STACK]: edit(stackYaml()), [TENANTS]: SEED_TENANTS }).filter((i) => i.file === STACK));
    expect(issue).toMatchObject({ file: STACK, key, line });
    expect(issue.message).toMatch(message);
  });

  it("rejects an unknown ESO API version and a malformed duration", () => {
    const issues = issuesOf({ [STACK]: stackYaml("  platform-secrets:eso:\n    apiVersion: v2\n    refreshInterval: hourly\n"), [TENANTS]: SEED_TENANTS });
    expect(issues.map((i) => i.key).sort()).toEqual(["platform-secrets:eso.apiVersion", "platform-secrets:eso.refreshInterval"]);
    expect(issues.find((i) => i.key.endsWith("refreshInterval"))!.message).toMatch(/duration such as 1h/);
  });

  it("requires egressCidrs on a cluster stack (the seed 000 hang)", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("", ""), [TENANTS]: SEED_TENANTS }));
    expect(issue).toMatchObject({ file: STACK, key: "platform-secrets:vault.egressCidrs" });
    expect(issue.message).toMatch(/eso-allow-egress-to-vault/);
  });

  it("rejects a max TTL below the TTL", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("", "    egressCidrs: [10.20.0.15/32]\n    tokenTtlSeconds: 7200\n    tokenMaxTtlSeconds: 3600\n"), [TENANTS]: SEED_TENANTS }));
    expect(issue).toMatchObject({ key: "platform-secrets:vault.tokenMaxTtlSeconds", line: 9 });
  });

  it("rejects admin groups on a stack that reads its foundation elsewhere, and duplicate envs", () => {
    const issues = issuesOf({
      [STACK]: stackYaml("  platform-secrets:foundation:\n    stack: org/platform-secrets/vault\n    adminGroups:\n      - env: dc\n        prefixes: [apps]\n"),
      [TENANTS]: SEED_TENANTS,
    });
    expect(only(issues)).toMatchObject({ key: "platform-secrets:foundation.adminGroups", line: 10 });
    const dup = issuesOf({ [STACK]: stackYaml("  platform-secrets:foundation:\n    adminGroups:\n      - env: dc\n        prefixes: [apps]\n      - env: dc\n        prefixes: [ocp]\n"), [TENANTS]: SEED_TENANTS });
    expect(only(dup)).toMatchObject({ key: "platform-secrets:foundation.adminGroups[1].env", line: 12 });
  });

  it("rejects cluster-only keys on a foundation-only stack", () => {
    const issues = issuesOf({
      [STACK]: "config:\n  platform-secrets:vault:\n    address: https://v:8200\n    egressCidrs: [10.0.0.1/32]\n  platform-secrets:eso:\n    namespace: eso\n",
      [TENANTS]: SEED_TENANTS,
    });
    expect(issues.filter((i) => i.file === STACK).map((i) => i.key).sort()).toEqual(["platform-secrets:eso", "platform-secrets:vault.egressCidrs"]);
  });

  it("requires the API server CA in reviewer-less mode", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("  platform-secrets:auth:\n    reviewer: client-jwt\n"), [TENANTS]: SEED_TENANTS }));
    expect(issue.key).toBe("platform-secrets:cluster.caCert");
  });

  it("names a missing stack file, a missing catalogue and broken YAML", () => {
    expect(only(issuesOf({ [TENANTS]: SEED_TENANTS }))).toMatchObject({ file: STACK, message: expect.stringMatching(/not found/) });
    expect(only(issuesOf({ [STACK]: stackYaml("  platform-secrets:tenantsFile: nope.yaml\n") }))).toMatchObject({ file: "stacks/nope.yaml", message: expect.stringMatching(/not found/) });
    const broken = only(issuesOf({ [STACK]: "config:\n  platform-secrets:vault: [unclosed\n", [TENANTS]: SEED_TENANTS }));
    expect(broken).toMatchObject({ file: STACK, line: 3, column: 1, key: "config.platform-secrets:vault[0]" });
  });

  it("rejects a duplicate key in YAML instead of silently taking the last", () => {
    const issue = only(issuesOf({ [STACK]: stackYaml("  platform-secrets:vault:\n    address: https://other:8200\n"), [TENANTS]: SEED_TENANTS }));
    expect(issue).toMatchObject({ file: STACK, line: 8, column: 3, key: "config.platform-secrets:vault", message: '"platform-secrets:vault" is given twice in the same mapping; keep one' });
  });
});

describe("tenant catalogue", () => {
  // A second cluster of the same fleet: it reads the foundation that x owns.
  const secondCluster = ownFoundationStack({ "platform-secrets:cluster": { name: "spoke-dc-v7", apiServer: "https://api.spoke-dc-v7.example:6443" }, "platform-secrets:foundation": { stack: "organization/platform-secrets/x" } });
  const withTenants = (tenants: unknown[]) => ({ [STACK]: ownFoundationStack(), "stacks/Pulumi.y.yaml": secondCluster, [TENANTS]: { tenants } });
  const base = { division: "platform", app: "liberty-hello", deployments: { "spoke-dc-v6": ["dev"] } };

  it("rejects an unknown tenant field with its line", () => {
    const issue = only(issuesOf({ [STACK]: ownFoundationStack(), [TENANTS]: "tenants:\n  - division: platform\n    app: x\n    owner: bob\n    deployments:\n      spoke-dc-v6: [dev]\n" }));
    expect(issue).toMatchObject({ file: TENANTS, line: 4, key: "tenants[0].owner" });
  });

  it("rejects two tenants sharing a team (seed 001: two tenants share one Secret)", () => {
    const issue = only(issuesOf(withTenants([{ ...base, team: "platform" }, { ...base, app: "other", team: "platform" }])));
    expect(issue).toMatchObject({ file: TENANTS, key: "tenants[1].team" });
    expect(issue.message).toMatch(/quay-robot-team-platform.*platform\/liberty-hello.*tenants\[0\]/);
  });

  it("rejects two tenants producing one namespace", () => {
    const issue = only(issuesOf(withTenants([base, { division: "platform-liberty", app: "hello", deployments: { "spoke-dc-v6": ["dev"] } }])));
    expect(issue).toMatchObject({ key: "tenants[1].deployments.spoke-dc-v6[0]" });
    expect(issue.message).toMatch(/namespace "apps-platform-liberty-hello-dev" on spoke-dc-v6 is also produced by platform\/liberty-hello/);
  });

  it("rejects the same app declared twice", () => {
    const issue = only(issuesOf(withTenants([base, { ...base, deployments: { "spoke-dc-v7": ["prd"] } }])));
    expect(issue).toMatchObject({ key: "tenants[1].app" });
  });

  it("rejects names that are not DNS-1123 and namespaces over 63 characters", () => {
    const bad = issuesOf(withTenants([{ ...base, app: "Liberty_Hello" }]));
    expect(only(bad)).toMatchObject({ key: "tenants[0].app", message: expect.stringMatching(/DNS-1123/) });
    const long = only(issuesOf(withTenants([{ ...base, app: "a".repeat(55) }])));
    expect(long.message).toMatch(/is 73 characters long \(DNS-1123 allows at most 63\)/);
    const team = only(issuesOf(withTenants([{ ...base, team: "t".repeat(50) }])));
    expect(team).toMatchObject({ key: "tenants[0].team", message: expect.stringMatching(/CI Secret name "quay-robot-team-t+" is 66 characters/) });
  });

  it("rejects an empty deployment map, an empty environment list and a repeated environment", () => {
    expect(only(issuesOf(withTenants([{ ...base, deployments: {} }]))).message).toMatch(/at least one cluster/);
    expect(only(issuesOf(withTenants([{ ...base, deployments: { "spoke-dc-v6": [] } }]))).message).toMatch(/at least one environment/);
    expect(only(issuesOf(withTenants([{ ...base, deployments: { "spoke-dc-v6": ["dev", "dev"] } }])))).toMatchObject({ key: "tenants[0].deployments.spoke-dc-v6[1]" });
  });

  it("reports every problem at once, not only the first", () => {
    const issues = issuesOf(withTenants([{ ...base, team: "x" }, { ...base, team: "x" }, { division: "platform-liberty", app: "hello", deployments: { "spoke-dc-v6": ["dev"] } }]));
    // Sorted by line: the generated file writes `deployments` before `team`.
    expect(issues.map((i) => i.key)).toEqual(["tenants[1].app", "tenants[1].deployments.spoke-dc-v6[0]", "tenants[1].team", "tenants[2].deployments.spoke-dc-v6[0]"]);
  });
});
