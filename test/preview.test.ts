// The main job as a user runs it: `npm run preview`, in a separate process, running the program
// on Pulumi's own runner and the pack on run-policy-pack.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SECRET_TEXT, stackConfigEnv } from "../preview/engine/project";
import { UNKNOWN } from "../preview/record";
import type { PreviewDigest } from "../preview/render";
import { fixtureProject, fixtureRoot, ownFoundationStack, ROOT, runPreview, SEED_TENANTS, snapshot } from "./helpers";

describe("npm run preview", () => {
  it("previews spoke-dc-v6 by default: summary grouped by component, manifests, HCL and JSON on disk", () => {
    const out = mkdtempSync(join(tmpdir(), "preview-out-"));
    const r = runPreview(["--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Previewing stack spoke-dc-v6 offline");
    expect(r.stdout).toMatch(/runner: --import=tsx \/node_modules\/@pulumi\/pulumi\/cmd\/run\/index\.js/);
    expect(r.stdout).toMatch(/\+ tenant:TenantNamespace {2}apps-payments-checkout-api-dev {2}\(5\)/);
    // The shipped stack adopts the mount seed 002 made by hand.
    expect(r.stdout).toMatch(/= vault:index\/authBackend:AuthBackend {2}auth\/spoke-dc-v6-k8s {2}\[protected\] {2}\[import spoke-dc-v6-k8s\]/);
    expect(r.stdout).toMatch(/platform-secrets-guard@v0\.1\.0: all \d+ policies passed/);
    const ces = parse(readFileSync(join(out, "kubernetes/_cluster/ClusterExternalSecret.app-registry-pull.yaml"), "utf8"));
    expect(ces.spec.externalSecretSpec.data[0].remoteRef.key).toBe("ocp/spoke-dc-v6/registries/app-registry-pull");
    const hcl = readFileSync(join(out, "vault/policies/pipelines-spoke-dc-v6-quay-robot-read.hcl"), "utf8");
    expect(hcl).toContain('path "secret/data/apps/payments/checkout-api/ci/quay-robot"');
    const roles = JSON.parse(readFileSync(join(out, "vault/roles.json"), "utf8")) as Array<{ inputs: { roleName: string } }>;
    expect(roles.map((x) => x.inputs.roleName).sort()).toEqual(["apps-spoke-dc-v6-payments", "apps-spoke-dc-v6-platform", "pipelines-spoke-dc-v6", "platform-spoke-dc-v6"]);
    expect(existsSync(join(out, "kubernetes/apps-payments-checkout-api-dev/ServiceAccount.default.patch.yaml"))).toBe(true);
  });

  it("--json prints the digest of `pulumi preview --json`, read with the field paths a consumer of the real one uses", () => {
    const r = runPreview(["--stack", "spoke-dc-v7", "--json", "--out", mkdtempSync(join(tmpdir(), "preview-out-"))]);
    expect(r.code, r.stderr).toBe(0);
    const digest = JSON.parse(r.stdout) as PreviewDigest;
    const steps = digest.steps!;
    expect(digest.changeSummary!.create).toBe(steps.filter((s) => s.op === "create").length);
    // The one read is the StackReference's, which the real CLI leaves out of the summary.
    expect(digest.changeSummary!.read).toBeUndefined();
    expect(digest.config!["platform-secrets:cluster"]).toContain('"name":"spoke-dc-v7"');
    expect(typeof digest.duration).toBe("number");
    // The root stack is a step, as in the engine's digest, and every URN is the engine's.
    expect(steps[0]!.newState!.type).toBe("pulumi:pulumi:Stack");
    for (const s of steps) {
      expect(s.urn).toMatch(/^urn:pulumi:spoke-dc-v7::platform-secrets::/);
      expect(s.newState!.urn).toBe(s.urn);
      expect(s.detailedDiff).toBeNull();
    }
    const config = steps.find((s) => s.newState!.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig")!;
    expect(config.newState!.inputs!.tokenReviewerJwt).toBe("[secret]");
    // What the SDK classes ask the engine to keep secret, as the real digest lists it.
    expect(config.newState!.additionalSecretOutputs).toEqual(["tokenReviewerJwt", "tokenReviewerJwtWo"]);
    expect(steps.find((s) => s.newState!.type === "kubernetes:core/v1:Secret")!.newState!.additionalSecretOutputs).toEqual(["data", "stringData"]);
    expect(config.provider).toMatch(/^urn:pulumi:spoke-dc-v7::platform-secrets::pulumi:providers:vault::vault::/);
    // A create's outputs are not known when the engine announces the step.
    const token = steps.find((s) => s.newState!.type === "kubernetes:core/v1:Secret")!;
    expect(token.newState!.outputs).toBeUndefined();
    // Nor a read's (v3.274.1): it names what it reads, is external, and goes through the engine's `pulumi` provider.
    const read = steps.find((s) => s.op === "read")!;
    expect(read.newState!.outputs).toBeUndefined();
    expect(read.newState!.id).toBe("organization/platform-secrets/vault");
    expect(read.newState!.external).toBe(true);
    expect(read.provider).toBe(`urn:pulumi:spoke-dc-v7::platform-secrets::pulumi:providers:pulumi::default::${UNKNOWN}`);
    expect(read.newState!.provider).toBe(read.provider);
    const role = steps.find((s) => s.newState!.type === "vault:kubernetes/authBackendRole:AuthBackendRole")!;
    expect(role.newState!.parent).toMatch(/KubernetesAuthRole::apps-spoke-dc-v7-/);
    expect(role.newState!.dependencies!.length).toBeGreaterThan(0);
    expect(digest.policyEvents).toBeUndefined();
  });

  it("exits 1 with the file, line and key on a config error the program reports to the engine", () => {
    const root = fixtureProject({ "stacks/Pulumi.bad.yaml": ownFoundationStack({ "platform-secrets:vault": { address: "https://v:8200" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const r = runPreview(["--stack", "bad"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stacks/Pulumi.bad.yaml:");
    expect(r.stderr).toContain("platform-secrets:vault.egressCidrs");
    expect(existsSync(join(root, "out"))).toBe(false);
  });

  it("exits 1 when the foundation stack does not yet provide a division this cluster needs", () => {
    const oldTenants = { tenants: [SEED_TENANTS.tenants[0]] };
    const root = fixtureProject({
      "stacks/Pulumi.f.yaml": { config: { "platform-secrets:vault": { address: "https://vault.example:8200" }, "platform-secrets:tenantsFile": "tenants-old.yaml" } },
      "stacks/tenants-old.yaml": oldTenants,
      "stacks/Pulumi.c.yaml": ownFoundationStack({ "platform-secrets:foundation": { stack: "org/platform-secrets/f" } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    // The stack runs in organization "org", so its reference to org/platform-secrets/f is to a stack of its own project.
    const r = runPreview(["--stack", "org/platform-secrets/c"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foundation stack org/platform-secrets/f has no read policy for division "payments"');
  });

  it("exits 1 with usage on an unknown flag", () => {
    const r = runPreview(["--stak", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("usage: npm run preview");
  });
});

// Issue 23: the stack file as the offline preview hands it over.
describe("stackConfigEnv: secure values and the size of the config", () => {
  const project = (config: Record<string, unknown>) => fixtureRoot({ "stacks/Pulumi.s.yaml": { config } });
  const minimal = ownFoundationStack().config;

  it("carries a provider credential's secure: value as a secret, as the CLI does, without its ciphertext", () => {
    const root = project({ ...minimal, "vault:token": { secure: "AAABAHcipher1" }, "kubernetes:settings": { kubeconfig: { secure: "AAABAHcipher2" }, context: "c" } });
    const env = stackConfigEnv(root, "stacks/Pulumi.s.yaml", "platform-secrets");
    expect(env.secretKeys.sort()).toEqual(["kubernetes:settings", "vault:token"]);
    expect(env.config["vault:token"]).toBe(SECRET_TEXT);
    expect(JSON.parse(env.config["kubernetes:settings"]!)).toEqual({ kubeconfig: SECRET_TEXT, context: "c" });
    expect(JSON.stringify(env)).not.toMatch(/AAABAHcipher/);
  });

  it("refuses a secure: value in the program's own settings, which it reads in plain text, with file, line and key", () => {
    const root = fixtureRoot({ "stacks/Pulumi.s.yaml": "config:\n  platform-secrets:vault:\n    address:\n      secure: AAABAHcipher\n" });
    expect(() => stackConfigEnv(root, "stacks/Pulumi.s.yaml", "platform-secrets")).toThrow(/^stacks\/Pulumi\.s\.yaml:3: platform-secrets:vault\.address: is a secret \(secure:\), but the program reads its own settings in plain text/);
  });

  it("refuses a config too large for one environment variable up front, naming the largest value (a 200 KB value gave `spawn E2BIG`)", () => {
    const big = "x".repeat(200 * 1024);
    expect(() => stackConfigEnv(project({ ...minimal, "other:blob": big }), "stacks/Pulumi.s.yaml", "platform-secrets")).toThrow(/^stacks\/Pulumi\.s\.yaml:\d+: other:blob: is 200\.0 KiB, the largest value of a config of 20\d\.\d KiB: .* limits to 128\.0 KiB/);
    expect(stackConfigEnv(project({ ...minimal, "other:blob": "x".repeat(100 * 1024) }), "stacks/Pulumi.s.yaml", "platform-secrets").config["other:blob"]).toHaveLength(100 * 1024);
  });

  it("reads the stack file with the project's one YAML parser: line and column", () => {
    const root = fixtureRoot({ "stacks/Pulumi.s.yaml": "config:\n  a: 1\n\tb: 2\n" });
    expect(() => stackConfigEnv(root, "stacks/Pulumi.s.yaml", "platform-secrets")).toThrow(/^stacks\/Pulumi\.s\.yaml:3:1: config\.a: Tabs are not allowed as indentation$/);
  });
});

describe("Feature: platform-secrets, Property 23.2: bad input to npm run preview is one line naming what to fix, exit 1, nothing written", () => {
  const shipped = (stack: string) => readFileSync(join(ROOT, `stacks/Pulumi.${stack}.yaml`), "utf8");
  const nameLine = shipped("spoke-dc-v6").split("\n").findIndex((l) => l.includes("name: spoke-dc-v6")) + 1;
  let root: string;
  beforeAll(() => {
    root = fixtureProject({
      "stacks/Pulumi.vault.yaml": shipped("vault"),
      "stacks/Pulumi.spoke-dc-v6.yaml": shipped("spoke-dc-v6"),
      "stacks/Pulumi.spoke-dc-v7.yaml": shipped("spoke-dc-v7"),
      "stacks/Pulumi.spoke-dc-v8.yaml": shipped("spoke-dc-v6"),
      "stacks/Pulumi.tabs.yaml": "config:\n  platform-secrets:vault:\n\taddress: https://v:8200\n",
      "stacks/Pulumi.secret.yaml": "config:\n  platform-secrets:vault:\n    address:\n      secure: AAABAHcipher\n",
      "stacks/Pulumi.big.yaml": `config:\n  other:blob: ${"x".repeat(200 * 1024)}\n${stringify(ownFoundationStack({ "platform-secrets:cluster": { name: "big", apiServer: "https://api.big.example:6443" } }).config).replace(/^/gm, "  ")}`,
      "stacks/tenants.yaml": readFileSync(join(ROOT, "stacks/tenants.yaml"), "utf8"),
      "README.md": "a file\n",
      "null.json": "null",
    });
  });

  it.each([
    [["--stack", "a/../../elsewhere/Pulumi.spoke-dc-v6"], /^error: --stack "a\/\.\.\/\.\.\/elsewhere\/Pulumi\.spoke-dc-v6" has 5 parts/],
    [["--stack", "x/../Pulumi.spoke-dc-v6"], /^error: --stack "x\/\.\.\/Pulumi\.spoke-dc-v6" part "\.\." names a directory, not a stack/],
    [["--stack", "../spoke-dc-v6"], /^error: --stack "\.\.\/spoke-dc-v6" part "\.\." names a directory, not a stack/],
    [["--out", ""], /^error: --out "" is empty/],
    [["--out", "README.md/sub"], /^error: --out "README\.md\/sub" cannot be created: .*README\.md is a file/],
    [["--policy-pack-config", "null.json"], /^error: --policy-pack-config "null\.json" holds null; it must be a JSON object/],
    [["--stack", "spoke-dc-6"], /^error: --stack "spoke-dc-6": no stack file stacks\/Pulumi\.spoke-dc-6\.yaml \(did you mean "spoke-dc-v6"\?\)/],
    [["--all", "--stack", "vault"], /^error: --all previews every stack: give --all or --stack, not both/],
    [["--stack", "spoke-dc-v8"], new RegExp(`^error: stack spoke-dc-v8: invalid configuration \\(2 problems\\):\\n {2}stacks/Pulumi\\.spoke-dc-v8\\.yaml:${nameLine}: platform-secrets:cluster\\.name: .*also managed by stacks/Pulumi\\.spoke-dc-v6\\.yaml:${nameLine}:`)],
    [["--stack", "tabs"], /^error: stack tabs: stacks\/Pulumi\.tabs\.yaml:3:1: config\.platform-secrets:vault: Tabs are not allowed as indentation\n$/],
    [["--stack", "secret"], /^error: stack secret: stacks\/Pulumi\.secret\.yaml:3: platform-secrets:vault\.address: is a secret \(secure:\)/],
    [["--stack", "big"], /^error: stack big: stacks\/Pulumi\.big\.yaml:2: other:blob: is 200\.0 KiB/],
  ])("%j", (args, message) => {
    const before = snapshot(root);
    const r = runPreview(args, root);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(1);
    expect(snapshot(root)).toEqual(before);
  });
});

describe("npm run preview on a real team's stack", () => {
  it("passes with secure: provider credentials and shows them nowhere: console, digest, files", () => {
    const stack = { config: { ...ownFoundationStack().config, "vault:token": { secure: "AAABAHvaulttokencipher" }, "kubernetes:kubeconfig": { secure: "AAABAHkubeconfigcipher" } } };
    const root = fixtureProject({ "stacks/Pulumi.team.yaml": stack, "stacks/tenants.yaml": SEED_TENANTS });
    const r = runPreview(["--stack", "team"], root);
    expect(r.code, r.stderr).toBe(0);
    const written = Object.values(snapshot(join(root, "out/team"))).join("\n");
    for (const text of [r.stdout, r.stderr, written]) expect(text).not.toMatch(/cipher/);
    const digest = JSON.parse(readFileSync(join(root, "out/team/preview.json"), "utf8")) as PreviewDigest;
    expect(digest.config).toMatchObject({ "vault:token": "[secret]", "kubernetes:kubeconfig": "[secret]" });
  });

  it("refuses a foundation of another organization or project instead of reading the local stack of that name", () => {
    const root = fixtureProject({
      "stacks/Pulumi.vault.yaml": { config: { "platform-secrets:vault": { address: "https://vault.example:8200" } } },
      "stacks/Pulumi.c.yaml": ownFoundationStack({ "platform-secrets:foundation": { stack: "someone-else/other-project/vault" } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    const r = runPreview(["--stack", "c"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: stack c: stacks/Pulumi.c.yaml:10: platform-secrets:foundation.stack: foundation stack someone-else/other-project/vault cannot be read: someone-else/other-project/vault is not a stack of organization/platform-secrets; the offline preview reads only those (from stacks/): read it with `pulumi preview`\n",
    );
    expect(existsSync(join(root, "out"))).toBe(false);
  });
});
