// Issue 12: what a new user's mistakes get. Each case names the file, the line and the key,
// and every problem of a stack comes in one sorted report.
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cidrProblem, durationProblem, goDurationSeconds, labelKeyProblem, labelValueProblem, urlProblem } from "../model/apiValues";
import { knownClusters, loadStack } from "../model/load";
import { closest, editDistance } from "../model/spelling";
import { fixtureRoot, issuesIn, ROOT, SEED_TENANTS, oneIssue } from "./helpers";

const STACK = "stacks/Pulumi.x.yaml";
const TENANTS = "stacks/tenants.yaml";

const stackYaml = (extra = "") => `config:
  platform-secrets:cluster:
    name: spoke-dc-v6
    apiServer: https://api.spoke-dc-v6.example:6443
  platform-secrets:vault:
    address: https://vault.example:8200
    egressCidrs: [10.20.0.15/32]
${extra}`;


const issuesOf = (files: Record<string, string | object>) => issuesIn(fixtureRoot(files));

const one = oneIssue;

describe("values the API server or Vault would reject", () => {
  it("rejects label keys and values in eso.podSelector, with their lines", () => {
    const issues = issuesOf({ [STACK]: stackYaml("  platform-secrets:eso:\n    podSelector:\n      app: héllo wörld\n      bad key/x: ok\n"), [TENANTS]: SEED_TENANTS });
    expect(one(issues, "platform-secrets:eso.podSelector.app")).toMatchObject({ file: STACK, line: 10, message: expect.stringMatching(/"héllo wörld" is not a label value/) });
    expect(one(issues, "platform-secrets:eso.podSelector.bad key/x")).toMatchObject({ line: 11, message: expect.stringMatching(/prefix that is not a DNS-1123 subdomain/) });
    expect(issues).toHaveLength(2);
  });

  it.each([
    ["999.999.999.999/32", /not an IPv4 or IPv6 address/],
    ["010.20.0.15/32", /without leading zeros/],
    ["10.20.0.15/33", /prefix length "33" is not 0-32/],
    ["fd00::/129", /prefix length "129" is not 0-128/],
  ])("rejects the CIDR %s", (value, message) => {
    const issues = issuesOf({ [STACK]: stackYaml().replace("10.20.0.15/32", value), [TENANTS]: SEED_TENANTS });
    expect(one(issues, "platform-secrets:vault.egressCidrs[0]")).toMatchObject({ line: 7, message: expect.stringMatching(message) });
  });

  it("checks the API server's range in eso.egress as it checks Vault's: IPv4 octets, IPv6, ports", () => {
    const egress = (cidrs: string, port = 6443) => `  platform-secrets:eso:\n    egress:\n      apiServer:\n        cidrs: [${cidrs}]\n        port: ${port}\n`;
    const issues = issuesOf({ [STACK]: stackYaml(egress("10.0.0.999/32, 'fd00::/129'", 0)), [TENANTS]: SEED_TENANTS });
    expect(one(issues, "platform-secrets:eso.egress.apiServer.cidrs[0]").message).toMatch(/not an IPv4 or IPv6 address/);
    expect(one(issues, "platform-secrets:eso.egress.apiServer.cidrs[1]").message).toMatch(/prefix length "129" is not 0-128/);
    expect(one(issues, "platform-secrets:eso.egress.apiServer.port").message).toMatch(/port number 1-65535/);
    const root = fixtureRoot({ [STACK]: stackYaml(egress("172.30.0.1/32, 'fd00:30::1/128'")), [TENANTS]: SEED_TENANTS });
    expect(loadStack({ root, stack: "x" }).config.cluster?.eso.egress.apiServer).toEqual({ cidrs: ["172.30.0.1/32", "fd00:30::1/128"], port: 6443 });
  });

  it("accepts IPv6 CIDRs and Go durations ESO accepts", () => {
    const root = fixtureRoot({ [STACK]: stackYaml("  platform-secrets:eso:\n    refreshInterval: 1h30m\n").replace("[10.20.0.15/32]", "[10.20.0.15/32, 'fd00::/8']"), [TENANTS]: SEED_TENANTS });
    expect(loadStack({ root, stack: "x" }).config.cluster?.egressCidrs).toEqual(["10.20.0.15/32", "fd00::/8"]);
  });

  it("rejects ports outside 1-65535, durations Go refuses and URLs with credentials, another scheme or a query", () => {
    const issues = issuesOf({
      [STACK]: stackYaml("  platform-secrets:eso:\n    refreshInterval: 1d\n    dns:\n      ports: [0, 70000]\n  platform-secrets:pullSecrets:\n    refreshTime: -5m\n")
        .replace("https://api.spoke-dc-v6.example:6443", "https://admin:hunter2@api.spoke-dc-v6.example:6443")
        .replace("https://vault.example:8200", "ftp://vault.example:8200"),
      [TENANTS]: SEED_TENANTS,
    });
    expect(one(issues, "platform-secrets:eso.refreshInterval")).toMatchObject({ line: 9, message: expect.stringMatching(/"1d" is not a duration/) });
    expect(one(issues, "platform-secrets:eso.dns.ports[0]").message).toMatch(/port number 1-65535/);
    expect(one(issues, "platform-secrets:eso.dns.ports[1]").message).toMatch(/port number 1-65535/);
    expect(one(issues, "platform-secrets:pullSecrets.refreshTime").message).toMatch(/negative/);
    expect(one(issues, "platform-secrets:cluster.apiServer")).toMatchObject({ line: 4, message: expect.stringMatching(/credentials/) });
    expect(one(issues, "platform-secrets:vault.address")).toMatchObject({ line: 6, message: expect.stringMatching(/scheme "ftp"/) });
    expect(issues).toHaveLength(6);
  });

  it("asks to quote a number or boolean where a string is expected, showing the value as written", () => {
    const tenants = "tenants:\n  - division: platform\n    app: hello\n    deployments:\n      spoke-dc-v6: [010, true]\n";
    const issues = issuesOf({ [STACK]: stackYaml(), [TENANTS]: tenants });
    expect(one(issues, "tenants[0].deployments.spoke-dc-v6[0]")).toMatchObject({ file: TENANTS, line: 5, message: 'Invalid input: expected string, received number (write it in quotes: "010")' });
    expect(one(issues, "tenants[0].deployments.spoke-dc-v6[1]").message).toMatch(/received boolean \(write it in quotes: "true"\)/);
    const stack = issuesOf({ [STACK]: stackYaml("  platform-secrets:eso:\n    namespace: 0x1F\n"), [TENANTS]: SEED_TENANTS });
    expect(one(stack, "platform-secrets:eso.namespace").message).toMatch(/write it in quotes: "0x1F"/);
  });
});

describe("the tenant catalogue's clusters and file", () => {
  it("rejects a deployment to a cluster no stack defines, naming the closest known one", () => {
    const tenants = "tenants:\n  - division: platform\n    app: hello\n    deployments:\n      spoke-dc-6: [dev]\n";
    const root = fixtureRoot({ [STACK]: stackYaml(), "stacks/Pulumi.v7.yaml": stackYaml().replaceAll("spoke-dc-v6", "spoke-dc-v7"), [TENANTS]: tenants });
    const issue = one(issuesIn(root), "tenants[0].deployments.spoke-dc-6");
    expect(issue).toMatchObject({ file: TENANTS, line: 5 });
    expect(issue.message).toBe('no stack in stacks/ defines cluster "spoke-dc-6" (did you mean "spoke-dc-v6"?); known clusters: spoke-dc-v6, spoke-dc-v7');
  });

  it("also stops the foundation stack, which would otherwise create a division for a tenant deployed nowhere", () => {
    const tenants = { tenants: [{ division: "ghost", app: "hello", deployments: { "spoke-dc-6": ["dev"] } }] };
    const issues = issuesIn(rootWith(tenants), "vault");
    expect(one(issues, "tenants[0].deployments.spoke-dc-6").message).toMatch(/did you mean "spoke-dc-v6"/);
  });

  it("collects known clusters from every parsable stack file, skipping broken ones", () => {
    const root = fixtureRoot({ [STACK]: stackYaml(), "stacks/Pulumi.broken.yaml": "config: [unclosed\n", "stacks/Pulumi.f.yaml": "config:\n  platform-secrets:vault:\n    address: https://v\n" });
    expect([...knownClusters(root)]).toEqual(["spoke-dc-v6"]);
    expect([...knownClusters(ROOT)].sort()).toEqual(["spoke-dc-v6", "spoke-dc-v7"]);
  });

  it.each([
    ["../../../etc/x.yaml", /leaves stacks\//],
    ["/etc/passwd", /relative to stacks\//],
    ["sub/../../x.yaml", /leaves stacks\//],
    [".", /must name a file/],
  ])("refuses tenantsFile %s without reading it", (file, message) => {
    const issue = one(issuesOf({ [STACK]: stackYaml(`  platform-secrets:tenantsFile: ${file}\n`), [TENANTS]: SEED_TENANTS }), "platform-secrets:tenantsFile");
    expect(issue).toMatchObject({ file: STACK, line: 8, message: expect.stringMatching(message) });
  });

  it("refuses a tenantsFile that a symbolic link places outside stacks/", () => {
    const outside = fixtureRoot({ "secret.yaml": SEED_TENANTS });
    const root = fixtureRoot({ [STACK]: stackYaml("  platform-secrets:tenantsFile: link.yaml\n") });
    symlinkSync(join(outside, "secret.yaml"), join(root, "stacks/link.yaml"));
    expect(one(issuesIn(root), "platform-secrets:tenantsFile")).toMatchObject({ file: STACK, line: 8, message: expect.stringMatching(/symbolic link/) });
  });

  it.each([
    ["empty", ""],
    ["null", "~\n"],
    ["comment-only", "# nothing yet\n"],
  ])("gives an %s tenants file a line number", (_label, text) => {
    const issue = one(issuesOf({ [STACK]: stackYaml(), [TENANTS]: text }), "tenants");
    expect(issue).toMatchObject({ file: TENANTS, line: 1, message: "is required (expected array)" });
  });

  it("gives `tenants:` without a list a line number", () => {
    expect(one(issuesOf({ [STACK]: stackYaml(), [TENANTS]: "# catalogue\ntenants:\n" }), "tenants")).toMatchObject({ line: 2 });
  });
});

describe("one report for the whole stack", () => {
  it("reports the stack file's and the tenant file's problems together, sorted by file and line", () => {
    const tenants = "tenants:\n  - division: Platform\n    app: hello\n    deployments:\n      spoke-dc-6: [dev]\n";
    const issues = issuesOf({ [STACK]: stackYaml("  platform-secrets:eso:\n    refreshInterval: 1d\n").replace("10.20.0.15/32", "10.20.0.15/99"), [TENANTS]: tenants });
    expect(issues.map((i) => `${i.file}:${i.line}: ${i.key}`)).toEqual([
      `${STACK}:7: platform-secrets:vault.egressCidrs[0]`,
      `${STACK}:9: platform-secrets:eso.refreshInterval`,
      `${TENANTS}:2: tenants[0].division`,
      `${TENANTS}:5: tenants[0].deployments.spoke-dc-6`,
    ]);
  });

  it("still reads the tenant file when the stack file's YAML is sound but its values are not", () => {
    const issues = issuesOf({ [STACK]: "config:\n  platform-secrets:vault:\n    address: nope\n", [TENANTS]: "tenants: 5\n" });
    expect(issues.map((i) => i.key)).toEqual(["platform-secrets:vault.address", "tenants"]);
  });
});

describe("misspelt namespaces in the stack file", () => {
  it.each(["platfrom-secrets", "Platform-Secrets", "platform_secrets", "platform-secret"])("rejects %s:tenantsFile", (ns) => {
    const issue = one(issuesOf({ [STACK]: stackYaml(`  ${ns}:tenantsFile: other.yaml\n`), [TENANTS]: SEED_TENANTS }), `${ns}:tenantsFile`);
    expect(issue).toMatchObject({ file: STACK, line: 8 });
    expect(issue.message).toContain("write platform-secrets:tenantsFile");
  });

  it("allows other namespaces (provider settings)", () => {
    const root = fixtureRoot({ [STACK]: stackYaml("  vault:address: https://v:8200\n  kubernetes:context: spoke\n  pulumi:template: x\n"), [TENANTS]: SEED_TENANTS });
    expect(loadStack({ root, stack: "x" }).config.tenantsFile).toBe("tenants.yaml");
  });

  it("rejects a stack file whose config is not a mapping", () => {
    expect(one(issuesOf({ [STACK]: "config:\n  - platform-secrets:vault\n", [TENANTS]: SEED_TENANTS }), "config")).toMatchObject({ line: 1, message: expect.stringMatching(/must be a mapping/) });
  });
});

describe("the rules themselves", () => {
  it("label keys and values follow Kubernetes' qualified-name rules", () => {
    for (const ok of ["app", "app.kubernetes.io/name", "a_b.c-d", "A1", `${"a".repeat(253)}/n`]) expect(labelKeyProblem(ok), ok).toBeUndefined();
    for (const bad of ["", "-a", "a/", "/a", "a/b/c", "Ex.com/a", "a".repeat(64), `${"a".repeat(254)}/n`, "héllo"]) expect(labelKeyProblem(bad), bad).toBeDefined();
    for (const ok of ["", "v1", "a.b_c-d", "x".repeat(63)]) expect(labelValueProblem(ok), ok).toBeUndefined();
    for (const bad of ["héllo wörld", "-a", "a-", "x".repeat(64), "a/b"]) expect(labelValueProblem(bad), bad).toBeDefined();
  });

  it("CIDRs are real addresses with a prefix in range", () => {
    for (const ok of ["0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", "::/0", "fd00::1/128"]) expect(cidrProblem(ok), ok).toBeUndefined();
    for (const bad of ["10.0.0.1", "256.0.0.1/32", "1.2.3/24", "10.0.0.1/-1", "10.0.0.1/08", "fe80::1%eth0/64", "x/1"]) expect(cidrProblem(bad), bad).toBeDefined();
  });

  it("durations are what Go's time.ParseDuration accepts, not negative", () => {
    expect(goDurationSeconds("1h30m")).toBe(5400);
    expect(goDurationSeconds(".5m")).toBe(30);
    expect(goDurationSeconds("1µs")).toBe(1e-6);
    for (const bad of ["", "1", "1d", "h", "1h ", "9999999h", "."]) expect(durationProblem(bad), bad).toBeDefined();
    expect(durationProblem("-1h")).toBe("is negative");
  });

  it("server URLs need the scheme and a host, and carry no credentials", () => {
    expect(urlProblem("https://vault:8200", ["https"])).toBeUndefined();
    expect(urlProblem("vault.example", ["https"])).toMatch(/is not a https:\/\/ URL/);
    expect(urlProblem("https://u@vault", ["https"])).toMatch(/credentials/);
    expect(urlProblem("https://vault:99999", ["https"])).toMatch(/is not a https/);
    expect(urlProblem("https://vault/#x", ["https"])).toMatch(/fragment/);
  });

  it("edit distance counts a swap of neighbours as one edit; closest finds plausible typos only", () => {
    expect(editDistance("platfrom-secrets", "platform-secrets")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(closest("spoke-dc-6", ["spoke-dc-v6", "spoke-dc-v7"])).toBe("spoke-dc-v6");
    expect(closest("payments", ["spoke-dc-v6"])).toBeUndefined();
  });
});

/** The shipped stack files with another catalogue, to run a shipped stack against bad tenants. */
function rootWith(tenants: object): string {
  const files: Record<string, string | object> = { [TENANTS]: tenants };
  for (const stack of ["vault", "spoke-dc-v6", "spoke-dc-v7"]) files[`stacks/Pulumi.${stack}.yaml`] = readFileSync(join(ROOT, `stacks/Pulumi.${stack}.yaml`), "utf8");
  return fixtureRoot(files);
}

describe("YAML the parser accepts but cannot expand", () => {
  it("reports an alias bomb as a config error with a line, not a crash", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");
    const issue = one(issuesOf({ [STACK]: stackYaml(), [TENANTS]: bomb }), "(yaml)");
    // The first alias is where the expansion starts.
    expect(issue).toMatchObject({ file: TENANTS, line: 2, column: 8, message: expect.stringMatching(/alias/i) });
  });
});
