// The main job as a user runs it: `npm run preview`, in a separate process.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { PreviewJson } from "../preview/render";
import { fixtureRoot, ownFoundationStack, runPreview, SEED_TENANTS } from "./helpers";

describe("npm run preview", () => {
  it("previews spoke-dc-v6 by default: summary grouped by component, manifests, HCL and JSON on disk", () => {
    const out = mkdtempSync(join(tmpdir(), "preview-out-"));
    const r = runPreview(["--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Previewing stack spoke-dc-v6 offline");
    expect(r.stdout).toMatch(/\+ tenant:TenantNamespace {2}apps-payments-checkout-api-dev {2}\(5\)/);
    expect(r.stdout).toMatch(/\+ vault:index\/authBackend:AuthBackend {2}auth\/spoke-dc-v6-k8s {2}\[protected\]/);
    const ces = parse(readFileSync(join(out, "kubernetes/_cluster/ClusterExternalSecret.app-registry-pull.yaml"), "utf8"));
    expect(ces.spec.externalSecretSpec.data[0].remoteRef.key).toBe("ocp/spoke-dc-v6/registries/app-registry-pull");
    const hcl = readFileSync(join(out, "vault/policies/pipelines-spoke-dc-v6-quay-robot-read.hcl"), "utf8");
    expect(hcl).toContain('path "secret/data/apps/payments/checkout-api/ci/quay-robot"');
    const roles = JSON.parse(readFileSync(join(out, "vault/roles.json"), "utf8")) as Array<{ inputs: { roleName: string } }>;
    expect(roles.map((x) => x.inputs.roleName).sort()).toEqual(["apps-spoke-dc-v6-payments", "apps-spoke-dc-v6-platform", "pipelines-spoke-dc-v6", "platform-spoke-dc-v6"]);
    expect(existsSync(join(out, "kubernetes/apps-payments-checkout-api-dev/ServiceAccount.default.patch.yaml"))).toBe(true);
  });

  it("--json prints a plan shaped like `pulumi preview --json`, with secrets masked", () => {
    const r = runPreview(["--stack", "spoke-dc-v7", "--json", "--out", mkdtempSync(join(tmpdir(), "preview-out-"))]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as PreviewJson;
    expect(plan.diagnostics).toEqual([]);
    expect(plan.changeSummary.create).toBe(plan.steps.filter((s) => s.op === "create").length);
    expect(plan.changeSummary.read).toBe(1);
    for (const s of plan.steps) expect(s.urn).toMatch(/^urn:pulumi:spoke-dc-v7::platform-secrets::/);
    const config = plan.steps.find((s) => s.type === "vault:kubernetes/authBackendConfig:AuthBackendConfig")!;
    expect(config.inputs.tokenReviewerJwt).toBe("[secret]");
  });

  it("exits 1 with the file, line and key on a config error, and writes nothing", () => {
    const root = fixtureRoot({ "stacks/Pulumi.bad.yaml": ownFoundationStack({ "platform-secrets:vault": { address: "https://v:8200" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const r = runPreview(["--stack", "bad"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stacks/Pulumi.bad.yaml:");
    expect(r.stderr).toContain("platform-secrets:vault.egressCidrs");
    expect(existsSync(join(root, "out"))).toBe(false);
  });

  it("exits 1 when the foundation stack does not yet provide a division this cluster needs", () => {
    const oldTenants = { tenants: [SEED_TENANTS.tenants[0]] };
    const root = fixtureRoot({
      "stacks/Pulumi.f.yaml": { config: { "platform-secrets:vault": { address: "https://vault.example:8200" }, "platform-secrets:tenantsFile": "tenants-old.yaml" } },
      "stacks/tenants-old.yaml": oldTenants,
      "stacks/Pulumi.c.yaml": ownFoundationStack({ "platform-secrets:foundation": { stack: "org/platform-secrets/f" } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    const r = runPreview(["--stack", "c"], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('foundation stack org/platform-secrets/f has no read policy for division "payments"');
  });

  it("exits 1 with usage on an unknown flag", () => {
    const r = runPreview(["--stak", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("usage: npm run preview");
  });
});
