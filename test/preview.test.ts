// The main job as a user runs it: `npm run preview`, in a separate process, running the program
// on Pulumi's own runner and the pack on run-policy-pack.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { UNKNOWN } from "../preview/record";
import type { PreviewDigest } from "../preview/render";
import { fixtureProject, ownFoundationStack, runPreview, SEED_TENANTS } from "./helpers";

describe("npm run preview", () => {
  it("previews spoke-dc-v6 by default: summary grouped by component, manifests, HCL and JSON on disk", () => {
    const out = mkdtempSync(join(tmpdir(), "preview-out-"));
    const r = runPreview(["--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Previewing stack spoke-dc-v6 offline");
    expect(r.stdout).toMatch(/runner: --import=tsx \/node_modules\/@pulumi\/pulumi\/cmd\/run\/index\.js/);
    expect(r.stdout).toMatch(/\+ tenant:TenantNamespace {2}apps-payments-checkout-api-dev {2}\(5\)/);
    expect(r.stdout).toMatch(/\+ vault:index\/authBackend:AuthBackend {2}auth\/spoke-dc-v6-k8s {2}\[protected\]/);
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
