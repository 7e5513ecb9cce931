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

// Issue 23: what the first round missed. Each answer names the file, the line and the key.
describe("one YAML parser, stack files included: file, line, column and key", () => {
  it.each([
    ["broken YAML", "config:\n  platform-secrets:vault: [unclosed\n", 3, 1, "config.platform-secrets:vault[0]", /Flow sequence/],
    ["a duplicate key", "config:\n  platform-secrets:vault:\n    address: https://a:8200\n    address: https://b:8200\n", 4, 5, "config.platform-secrets:vault.address", /"address" is given twice/],
    ["tab indentation", "config:\n  platform-secrets:vault:\n\taddress: https://a:8200\n", 3, 1, "config.platform-secrets:vault", /Tabs are not allowed/],
    ["a number beyond a 64-bit float", "config:\n  platform-secrets:vault:\n    address: https://a:8200\n    tokenTtlSeconds: 1e400\n", 4, 22, "config.platform-secrets:vault.tokenTtlSeconds", /1e400 is not a finite number/],
  ])("reports %s in a stack file", (_what, text, line, column, key, message) => {
    const issue = one(issuesOf({ [STACK]: text, [TENANTS]: SEED_TENANTS }), key);
    expect(issue).toMatchObject({ file: STACK, line, column, message: expect.stringMatching(message) });
  });

  it("prints one problem on one line: file:line:column: key: message", () => {
    expect(() => loadStack({ root: fixtureRoot({ [STACK]: "config:\n  a: 1\n  a: 2\n", [TENANTS]: SEED_TENANTS }), stack: "x" })).toThrow(/^stacks\/Pulumi\.x\.yaml:3:3: config\.a: "a" is given twice in the same mapping; keep one$/);
  });
});

describe("Vault's reserved paths", () => {
  it.each(["sys", "auth", "identity", "cubbyhole", "audit"])("refuses kvMount: %s, saying it is reserved", (mount) => {
    const issue = one(issuesOf({ [STACK]: stackYaml().replace("    egressCidrs", `    kvMount: ${mount}\n    egressCidrs`), [TENANTS]: SEED_TENANTS }), "platform-secrets:vault.kvMount");
    expect(issue).toMatchObject({ file: STACK, line: 7, message: expect.stringMatching(new RegExp(`"${mount}" is reserved by Vault`)) });
  });

  it("refuses auth.path: token, saying it is reserved, and accepts a path that only starts like one", () => {
    const issue = one(issuesOf({ [STACK]: stackYaml("  platform-secrets:auth:\n    path: token\n"), [TENANTS]: SEED_TENANTS }), "platform-secrets:auth.path");
    expect(issue).toMatchObject({ file: STACK, line: 9, message: expect.stringMatching(/"token" is reserved by Vault \(auth\/token/) });
    const root = fixtureRoot({ [STACK]: stackYaml("  platform-secrets:auth:\n    path: tokens\n").replace("    egressCidrs", "    kvMount: system\n    egressCidrs"), [TENANTS]: SEED_TENANTS });
    expect(loadStack({ root, stack: "x" }).config.cluster?.authPath).toBe("tokens");
  });
});

describe("platform credentials only in a platform namespace", () => {
  it.each([
    ["a tenant's namespace", "apps-payments-checkout-api-dev"],
    ["any name with the tenant prefix", "apps-platform"],
  ])("refuses eso.namespace as %s", (_what, namespace) => {
    const issue = one(issuesOf({ [STACK]: stackYaml(`  platform-secrets:eso:\n    namespace: ${namespace}\n`), [TENANTS]: SEED_TENANTS }), "platform-secrets:eso.namespace");
    expect(issue).toMatchObject({ file: STACK, line: 9, message: expect.stringMatching(new RegExp(`"${namespace}" is a tenant namespace .*system:auth-delegator`)) });
  });
});

describe("the foundation a cluster stack names", () => {
  const withFoundation = (stack: string) => stackYaml(`  platform-secrets:foundation:\n    stack: ${stack}\n`);
  const vaultStack = "config:\n  platform-secrets:vault:\n    address: https://vault.example:8200\n";

  it("refuses the stack itself", () => {
    const issue = one(issuesOf({ [STACK]: withFoundation("organization/platform-secrets/x"), "stacks/Pulumi.vault.yaml": vaultStack, [TENANTS]: SEED_TENANTS }), "platform-secrets:foundation.stack");
    expect(issue).toMatchObject({ file: STACK, line: 9, message: expect.stringMatching(/^names this stack itself/) });
  });

  it("refuses a stack of this project without a stack file, suggesting the one meant", () => {
    const issue = one(issuesOf({ [STACK]: withFoundation("organization/platform-secrets/vualt"), "stacks/Pulumi.vault.yaml": vaultStack, [TENANTS]: SEED_TENANTS }), "platform-secrets:foundation.stack");
    expect(issue.message).toBe('names stack "vualt", which has no stack file stacks/Pulumi.vualt.yaml (did you mean "vault"?); stacks of this project: vault, x');
  });

  it("refuses a stack that reads its foundation instead of owning it", () => {
    const reader = stackYaml("  platform-secrets:foundation:\n    stack: organization/platform-secrets/vault\n").replaceAll("spoke-dc-v6", "spoke-dc-v7");
    const issue = one(issuesOf({ [STACK]: withFoundation("y"), "stacks/Pulumi.y.yaml": reader, "stacks/Pulumi.vault.yaml": vaultStack, [TENANTS]: SEED_TENANTS }), "platform-secrets:foundation.stack");
    expect(issue.message).toMatch(/^names stack "y", which does not own a foundation \(stacks\/Pulumi\.y\.yaml reads one from organization\/platform-secrets\/vault\)/);
  });

  it("leaves a stack of another project to the engine that reads it", () => {
    const root = fixtureRoot({ [STACK]: withFoundation("acme/other-project/vault"), [TENANTS]: SEED_TENANTS });
    expect(loadStack({ root, stack: "x" }).config.foundationStack).toBe("acme/other-project/vault");
  });
});

describe("Feature: platform-secrets, Property 23.1: no two stack files manage one cluster, auth mount or foundation", () => {
  const shipped = (stack: string) => readFileSync(join(ROOT, `stacks/Pulumi.${stack}.yaml`), "utf8");
  /** 1-based line of the first line of a shipped stack file containing `text`, so the cases follow edits of the file. */
  const lineOf = (stack: string, text: string) => shipped(stack).split("\n").findIndex((l) => l.includes(text)) + 1;
  const shippedRoot = (extra: Record<string, string>) => fixtureRoot({ "stacks/Pulumi.vault.yaml": shipped("vault"), "stacks/Pulumi.spoke-dc-v6.yaml": shipped("spoke-dc-v6"), "stacks/Pulumi.spoke-dc-v7.yaml": shipped("spoke-dc-v7"), [TENANTS]: readFileSync(join(ROOT, TENANTS), "utf8"), ...extra });

  it("refuses a copied stack file, naming both files, and the original stops too", () => {
    const root = shippedRoot({ "stacks/Pulumi.spoke-dc-v8.yaml": shipped("spoke-dc-v6") });
    const issues = issuesIn(root, "spoke-dc-v8");
    expect(issues.map((i) => `${i.file}:${i.line}: ${i.key}`)).toEqual([
      `stacks/Pulumi.spoke-dc-v8.yaml:${lineOf("spoke-dc-v6", "name: spoke-dc-v6")}: platform-secrets:cluster.name`,
      `stacks/Pulumi.spoke-dc-v8.yaml:${lineOf("spoke-dc-v6", "apiServer:")}: platform-secrets:cluster.apiServer`,
    ]);
    expect(issues[0]!.message).toMatch(new RegExp(`^cluster "spoke-dc-v6" .* and auth mount auth/spoke-dc-v6-k8s on https://vault\\.sub\\.comptech-lab\\.com:8200 are also managed by stacks/Pulumi\\.spoke-dc-v6\\.yaml:${lineOf("spoke-dc-v6", "name: spoke-dc-v6")}\\b`));
    expect(issuesIn(root, "spoke-dc-v6").map((i) => i.message).join("\n")).toContain(`also managed by stacks/Pulumi.spoke-dc-v8.yaml:${lineOf("spoke-dc-v6", "name: spoke-dc-v6")}`);
  });

  it("refuses a renamed copy that still points at the same API server and auth mount", () => {
    const copy = shipped("spoke-dc-v6").replace("name: spoke-dc-v6", "name: spoke-dc-v8").replace("platform-secrets:vault:", "platform-secrets:auth:\n    path: spoke-dc-v6-k8s\n  platform-secrets:vault:");
    const issues = issuesIn(shippedRoot({ "stacks/Pulumi.spoke-dc-v8.yaml": copy }), "spoke-dc-v8").filter((i) => i.message.includes("also managed by"));
    expect(issues.map((i) => i.key).sort()).toEqual(["platform-secrets:auth.path", "platform-secrets:cluster.apiServer"]);
  });

  it("refuses a second foundation on the same Vault server however its address is spelt", () => {
    const second = shipped("vault").replace("https://vault.sub.comptech-lab.com:8200", "https://VAULT.sub.comptech-lab.com:8200/");
    const issue = one(issuesIn(shippedRoot({ "stacks/Pulumi.vault2.yaml": second }), "vault2"), "platform-secrets:vault.address");
    expect(issue.message).toMatch(new RegExp(`^the Vault foundation on https://vault\\.sub\\.comptech-lab\\.com:8200 .* is also managed by stacks/Pulumi\\.vault\\.yaml:${lineOf("vault", "address:")}\\b`));
  });

  it("accepts a new cluster with its own name, API server and auth mount", () => {
    const own = shipped("spoke-dc-v7").replaceAll("spoke-dc-v7", "spoke-dc-v8");
    expect(loadStack({ root: shippedRoot({ "stacks/Pulumi.spoke-dc-v8.yaml": own }), stack: "spoke-dc-v8" }).config.cluster?.authPath).toBe("spoke-dc-v8-k8s");
  });
});
