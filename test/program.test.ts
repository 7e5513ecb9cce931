// The real program under Pulumi's mock runtime, on the shipped stacks: each seed fact is
// checked on what the program registers (names, paths, labels, keys, templates, edges).
import { beforeAll, describe, expect, it } from "vitest";
import { ProgramError, runOffline, type OfflineRun, type RegisteredResource } from "../preview/mock";
import { foundationPolicy } from "../infra/program";
import { readPlatformOutputs, type PlatformSecretsOutputs } from "../infra/outputs";
import * as pulumi from "@pulumi/pulumi";
import { fixtureRoot, inputsOf, k8sNamed, ofType, ownFoundationStack, ROOT, SEED_TENANTS, T } from "./helpers";

interface Meta {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}
interface EsoObject extends Meta {
  apiVersion: string;
  kind: string;
  spec: Record<string, any>;
}
interface RoleInputs {
  backend: string;
  roleName: string;
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  aliasNameSource: string;
  audience: string;
  tokenPolicies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
}

const runs: Record<string, OfflineRun> = {};
beforeAll(async () => {
  for (const stack of ["spoke-dc-v6", "spoke-dc-v7", "vault"]) runs[stack] = await runOffline({ root: ROOT, stack });
});

const v6 = () => runs["spoke-dc-v6"]!.resources;
const role = (resources: RegisteredResource[], name: string) => {
  const found = ofType(resources, T.role).filter((r) => inputsOf<RoleInputs>(r).roleName === name);
  expect(found, `role ${name}`).toHaveLength(1);
  return inputsOf<RoleInputs>(found[0]!);
};
const policyText = (resources: RegisteredResource[], name: string) => {
  const found = ofType(resources, T.policy).filter((r) => r.inputs.name === name);
  expect(found, `policy ${name}`).toHaveLength(1);
  return String(found[0]!.inputs.policy);
};
const dependsOn = (r: RegisteredResource, target: RegisteredResource) => r.dependencies.includes(target.urn);

describe("seed 000: tenant namespaces on spoke-dc-v6", () => {
  const namespaces = ["apps-platform-liberty-hello-dev", "apps-platform-liberty-hello-stg", "apps-platform-quay-only-sample-dev", "apps-payments-checkout-api-dev", "apps-payments-checkout-api-stg"];

  it("creates exactly the catalogue's namespaces, labelled apps.platform/tenant=true", () => {
    const got = ofType(v6(), T.namespace).map((r) => inputsOf<Meta>(r).metadata.name);
    expect(got.sort()).toEqual([...namespaces].sort());
    for (const ns of namespaces) {
      const labels = inputsOf<Meta>(k8sNamed(v6(), T.namespace, ns)).metadata.labels!;
      expect(labels["apps.platform/tenant"]).toBe("true");
      expect(labels["app.kubernetes.io/managed-by"]).toBe("pulumi");
    }
  });

  it("ships app-eso and a namespaced SecretStore vault-apps on role apps-<cluster>-<division>", () => {
    for (const ns of namespaces) {
      k8sNamed(v6(), T.serviceAccount, "app-eso", ns);
      const store = inputsOf<EsoObject>(k8sNamed(v6(), T.ss, "vault-apps", ns));
      expect(store.kind).toBe("SecretStore");
      const division = ns.split("-")[1];
      const vault = store.spec.provider.vault;
      expect(vault).toMatchObject({ server: "https://vault.sub.comptech-lab.com:8200", path: "secret", version: "v2" });
      expect(vault.auth.kubernetes).toEqual({ mountPath: "spoke-dc-v6-k8s", role: `apps-spoke-dc-v6-${division}`, serviceAccountRef: { name: "app-eso", audiences: ["vault"] } });
    }
    expect(ofType(v6(), T.css).map((r) => inputsOf<Meta>(r).metadata.name)).toEqual(["vault-platform"]);
  });

  it("patches the default ServiceAccount's imagePullSecrets server-side, without replacing it", () => {
    for (const ns of namespaces) {
      const patch = inputsOf<Meta & { imagePullSecrets: Array<{ name: string }> }>(k8sNamed(v6(), T.saPatch, "default", ns));
      // gh-docker-registry is a catalogue entry these tenants opt into in stacks/tenants.yaml; quay-only-sample does not.
      const optedIn = !ns.includes("quay-only-sample");
      expect(patch.imagePullSecrets).toEqual([{ name: "app-registry-pull" }, { name: "quay-pull" }, ...(optedIn ? [{ name: "gh-docker-registry" }] : [])]);
    }
    expect(ofType(v6(), T.serviceAccount).some((r) => inputsOf<Meta>(r).metadata.name === "default")).toBe(false);
  });

  it("binds each division role to exactly that division's namespaces on this cluster, by explicit list", () => {
    const platform = role(v6(), "apps-spoke-dc-v6-platform");
    expect(platform.boundServiceAccountNamespaces).toEqual(["apps-platform-liberty-hello-dev", "apps-platform-liberty-hello-stg", "apps-platform-quay-only-sample-dev"]);
    const payments = role(v6(), "apps-spoke-dc-v6-payments");
    expect(payments.boundServiceAccountNamespaces).toEqual(["apps-payments-checkout-api-dev", "apps-payments-checkout-api-stg"]);
    for (const r of [platform, payments]) {
      expect(r.boundServiceAccountNames).toEqual(["app-eso"]);
      expect(r.aliasNameSource).toBe("serviceaccount_uid");
      expect(r.audience).toBe("vault");
      expect(r.backend).toBe("spoke-dc-v6-k8s");
      expect(r.tokenTtl).toBeLessThanOrEqual(r.tokenMaxTtl);
      expect(r.boundServiceAccountNamespaces.join()).not.toContain("*");
    }
    expect(platform.tokenPolicies).toEqual(["apps-platform-read"]);
    expect(payments.tokenPolicies).toEqual(["apps-payments-read"]);
  });

  it("fans app-registry-pull (and quay-pull, enabled here) exactly as seed 000 describes", () => {
    for (const name of ["app-registry-pull", "quay-pull"]) {
      const ces = inputsOf<EsoObject>(k8sNamed(v6(), T.ces, name));
      expect(ces.apiVersion).toBe("external-secrets.io/v1");
      expect(ces.spec.externalSecretName).toBe(name);
      expect(ces.spec.namespaceSelectors).toEqual([{ matchLabels: { "apps.platform/tenant": "true" } }]);
      expect(ces.spec.refreshTime).toBe("1h");
      const es = ces.spec.externalSecretSpec;
      expect(es.secretStoreRef).toEqual({ kind: "ClusterSecretStore", name: "vault-platform" });
      expect(es.target.name).toBe(name);
      expect(es.target.template.type).toBe("kubernetes.io/dockerconfigjson");
      expect(es.target.template.data).toEqual({ ".dockerconfigjson": "{{ .dockerconfigjson }}" });
      expect(es.data).toEqual([{ secretKey: "dockerconfigjson", remoteRef: { key: `ocp/spoke-dc-v6/registries/${name}`, property: "dockerconfigjson" } }]);
    }
  });

  it("restricts vault-platform to tenant-labelled namespaces and its role to the exact keys of this cluster's catalogue", () => {
    const store = inputsOf<EsoObject>(k8sNamed(v6(), T.css, "vault-platform"));
    expect(store.spec.conditions).toEqual([{ namespaceSelector: { matchLabels: { "apps.platform/tenant": "true" } } }]);
    expect(store.spec.provider.vault.auth.kubernetes).toEqual({
      mountPath: "spoke-dc-v6-k8s",
      role: "platform-spoke-dc-v6",
      serviceAccountRef: { name: "external-secrets", namespace: "external-secrets", audiences: ["vault"] },
    });
    const r = role(v6(), "platform-spoke-dc-v6");
    expect(r.boundServiceAccountNames).toEqual(["external-secrets"]);
    expect(r.boundServiceAccountNamespaces).toEqual(["external-secrets"]);
    expect(r.tokenPolicies).toEqual(["platform-spoke-dc-v6-read"]);
    const paths = [...policyText(v6(), "platform-spoke-dc-v6-read").matchAll(/path "([^"]+)" \{\n  capabilities = \["read"\]\n\}/g)].map((m) => m[1]);
    expect(paths).toEqual([
      "secret/data/ocp/spoke-dc-v6/registries/app-registry-pull",
      "secret/data/ocp/spoke-dc-v6/registries/quay-pull",
      "secret/data/ocp/spoke-dc-v6/github/pat",
      "secret/data/ocp/spoke-dc-v6/nexus/platform-bot",
      "secret/data/ocp/spoke-dc-v6/tls/apps-wildcard",
    ]);
  });

  it("opens ESO's egress to the Vault VM and DNS only (eso-allow-egress-to-vault)", () => {
    const np = inputsOf<Meta & { spec: any }>(k8sNamed(v6(), T.netpol, "eso-allow-egress-to-vault", "external-secrets"));
    expect(np.spec.policyTypes).toEqual(["Egress"]);
    expect(np.spec.egress[0]).toEqual({ to: [{ ipBlock: { cidr: "10.20.0.15/32" } }], ports: [{ protocol: "TCP", port: 8200 }] });
    expect(np.spec.egress[1].to).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "openshift-dns" } } }]);
    expect(np.spec.egress[1].ports).toContainEqual({ protocol: "UDP", port: 53 });
  });
});

describe("seed 001: CI robot secrets in openshift-pipelines", () => {
  it("creates quay-robot-team-<team> per tenant with a team, through pipelines-vault-apps", () => {
    const cases = [
      { team: "platform", key: "apps/platform/liberty-hello/ci/quay-robot" },
      { team: "platform-samples", key: "apps/platform/quay-only-sample/ci/quay-robot" },
      { team: "payments", key: "apps/payments/checkout-api/ci/quay-robot" },
    ];
    for (const { team, key } of cases) {
      const es = inputsOf<EsoObject>(k8sNamed(v6(), T.es, `quay-robot-team-${team}`, "openshift-pipelines"));
      expect(es.spec.refreshInterval).toBe("1h");
      expect(es.spec.secretStoreRef).toEqual({ kind: "SecretStore", name: "pipelines-vault-apps" });
      expect(es.spec.target.name).toBe(`quay-robot-team-${team}`);
      expect(es.spec.target.creationPolicy).toBe("Owner");
      expect(es.spec.target.template.type).toBe("kubernetes.io/dockerconfigjson");
      const body = es.spec.target.template.data[".dockerconfigjson"] as string;
      expect(body).toContain('"quay.apps.sub.comptech-lab.com"');
      expect(body).toContain('"auth": "{{ printf "%s:%s" .username .token | b64enc }}"');
      expect(body).toContain(`"email": "${team}+ci@comptech-lab.local"`);
      expect(es.spec.data).toEqual([
        { secretKey: "username", remoteRef: { key, property: "username" } },
        { secretKey: "token", remoteRef: { key, property: "token" } },
      ]);
    }
    k8sNamed(v6(), T.serviceAccount, "pipelines-vault-apps", "openshift-pipelines");
    const store = inputsOf<EsoObject>(k8sNamed(v6(), T.ss, "pipelines-vault-apps", "openshift-pipelines"));
    expect(store.spec.provider.vault.auth.kubernetes.role).toBe("pipelines-spoke-dc-v6");
  });

  it("grants the pipelines role exact ci/quay-robot paths, never a mid-path glob", () => {
    const r = role(v6(), "pipelines-spoke-dc-v6");
    expect(r.boundServiceAccountNamespaces).toEqual(["openshift-pipelines"]);
    expect(r.boundServiceAccountNames).toEqual(["pipelines-vault-apps"]);
    const hcl = policyText(v6(), r.tokenPolicies[0]!);
    const paths = [...hcl.matchAll(/path "([^"]+)"/g)].map((m) => m[1]);
    expect(paths.sort()).toEqual(["secret/data/apps/payments/checkout-api/ci/quay-robot", "secret/data/apps/platform/liberty-hello/ci/quay-robot", "secret/data/apps/platform/quay-only-sample/ci/quay-robot"]);
    expect(hcl).not.toContain("*");
  });
});

describe("seed 002: the per-cluster kubernetes auth backend", () => {
  it("mounts kubernetes auth at <cluster>-k8s, protected", () => {
    const backends = ofType(v6(), T.authBackend);
    expect(backends).toHaveLength(1);
    expect(backends[0]!.inputs).toMatchObject({ type: "kubernetes", path: "spoke-dc-v6-k8s" });
    expect(backends[0]!.protect).toBe(true);
  });

  it("feeds the reviewer ServiceAccount's token and CA into the auth config (a real graph edge)", () => {
    const sa = k8sNamed(v6(), T.serviceAccount, "eso-vault-auth", "external-secrets");
    const crb = inputsOf<{ roleRef: { name: string }; subjects: unknown[] }>(k8sNamed(v6(), T.crb, "eso-vault-auth-delegator"));
    expect(crb.roleRef.name).toBe("system:auth-delegator");
    expect(crb.subjects).toEqual([{ kind: "ServiceAccount", name: "eso-vault-auth", namespace: "external-secrets" }]);
    const token = k8sNamed(v6(), T.secret, "eso-vault-auth-token", "external-secrets");
    expect(token.inputs.type).toBe("kubernetes.io/service-account-token");
    expect(inputsOf<Meta>(token).metadata.annotations).toEqual({ "kubernetes.io/service-account.name": "eso-vault-auth" });
    expect(dependsOn(token, sa)).toBe(true);
    const config = ofType(v6(), T.authConfig)[0]!;
    expect(config.propertyDependencies.tokenReviewerJwt).toContain(token.urn);
    expect(config.propertyDependencies.kubernetesCaCert).toContain(token.urn);
    // The mock token controller's value arrives decoded, exactly as the Secret carried it.
    expect(inputsOf<{ tokenReviewerJwt: string }>(config).tokenReviewerJwt).toBe("offline-preview-token.external-secrets.eso-vault-auth");
    expect(config.inputs).toMatchObject({ backend: "spoke-dc-v6-k8s", kubernetesHost: "https://api.spoke-dc-v6.sub.comptech-lab.com:6443", disableLocalCaJwt: true });
  });

  it("makes every store depend on its role, and every role on the configured backend", () => {
    const roles = new Map(ofType(v6(), T.role).map((r) => [inputsOf<RoleInputs>(r).roleName, r]));
    const config = ofType(v6(), T.authConfig)[0]!;
    for (const r of roles.values()) expect(dependsOn(r, config)).toBe(true);
    const stores = [...ofType(v6(), T.ss), ...ofType(v6(), T.css)];
    expect(stores.length).toBe(7);
    for (const s of stores) {
      const roleName = inputsOf<EsoObject>(s).spec.provider.vault.auth.kubernetes.role as string;
      // dependsOn a component expands to its children: the role itself must be among them.
      expect(s.dependencies, `${s.name} -> ${roleName}`).toContain(roles.get(roleName)!.urn);
    }
  });

  it("reads division policies from the foundation stack, and the role's policies flow from that reference", () => {
    const ref = ofType(v6(), T.stackRef);
    expect(ref).toHaveLength(1);
    expect(ref[0]!.inputs.name).toBe("organization/platform-secrets/vault");
    const payments = ofType(v6(), T.role).find((r) => inputsOf<RoleInputs>(r).roleName === "apps-spoke-dc-v6-payments")!;
    expect(payments.propertyDependencies.tokenPolicies).toContain(ref[0]!.urn);
    expect(ofType(v6(), T.mount)).toHaveLength(0);
    expect(ofType(v6(), T.policy).map((p) => p.inputs.name)).not.toContain("apps-payments-read");
  });
});

describe("the vault foundation stack", () => {
  const vault = () => runs["vault"]!.resources;

  it("mounts KV v2 at secret/, protected", () => {
    const mounts = ofType(vault(), T.mount);
    expect(mounts).toHaveLength(1);
    expect(mounts[0]!.inputs).toMatchObject({ path: "secret", type: "kv", options: { version: "2" } });
    expect(mounts[0]!.protect).toBe(true);
  });

  it("writes apps-<division>-read for every division, reading only <kv>/data/apps/<division>/*", () => {
    for (const division of ["platform", "payments"]) {
      const hcl = policyText(vault(), `apps-${division}-read`);
      const paths = [...hcl.matchAll(/path "([^"]+)"/g)].map((m) => m[1]);
      expect(paths).toEqual([`secret/data/apps/${division}/*`]);
      expect(hcl).toContain('capabilities = ["read"]');
    }
  });

  it("writes a random canary per division at <kv>/apps/<division>/_canary with an explicit name", () => {
    const kv = ofType(vault(), T.kv).map((r) => inputsOf<{ mount: string; name: string; dataJson: string }>(r));
    expect(kv.map((k) => k.name).sort()).toEqual(["apps/payments/_canary", "apps/platform/_canary"]);
    for (const k of kv) {
      expect(k.mount).toBe("secret");
      expect(Object.keys(JSON.parse(k.dataJson))).toEqual(["value"]);
      expect(JSON.parse(k.dataJson).value).toHaveLength(32);
    }
    expect(ofType(vault(), T.password)).toHaveLength(2);
  });

  it("creates vault-admins-<env> as an external group with an OIDC alias, bound to <env>-kv-rw", () => {
    const group = inputsOf<{ name: string; type: string; policies: string[] }>(ofType(vault(), T.group)[0]!);
    expect(group).toMatchObject({ name: "vault-admins-dc", type: "external", policies: ["dc-kv-rw"] });
    const alias = ofType(vault(), T.groupAlias)[0]!;
    expect(alias.inputs.name).toBe("vault-admins-dc");
    expect(String(alias.inputs.mountAccessor)).toMatch(/^auth_oidc_/);
    expect(alias.propertyDependencies.canonicalId).toContain(ofType(vault(), T.group)[0]!.urn);
    const hcl = policyText(vault(), "dc-kv-rw");
    expect(hcl).not.toContain("sudo");
    expect(hcl).toContain('path "secret/data/apps/*"');
  });
});

describe("the fleet", () => {
  it("never manages one Vault object from two stacks", () => {
    const owner = new Map<string, string>();
    for (const [stack, run] of Object.entries(runs)) {
      for (const r of run.resources.filter((x) => x.type.startsWith("vault:") && !x.read)) {
        const i = r.inputs as Record<string, unknown>;
        const id = `${r.type}:${String(i.backend ?? "")}/${String(i.path ?? i.name ?? i.roleName ?? "")}`;
        expect(owner.get(id), `${id} in ${stack} and ${owner.get(id)}`).toBeUndefined();
        owner.set(id, stack);
      }
    }
    expect(owner.size).toBeGreaterThan(20);
  });

  it("puts the prd environments on spoke-dc-v7 under its own auth mount", () => {
    const v7 = runs["spoke-dc-v7"]!.resources;
    expect(ofType(v7, T.namespace).map((r) => inputsOf<Meta>(r).metadata.name).sort()).toEqual(["apps-payments-checkout-api-prd", "apps-platform-liberty-hello-prd"]);
    expect(role(v7, "apps-spoke-dc-v7-platform").boundServiceAccountNamespaces).toEqual(["apps-platform-liberty-hello-prd"]);
    expect(ofType(v7, T.ces).map((r) => inputsOf<Meta>(r).metadata.name).sort()).toEqual(["app-registry-pull", "checkout-api-key", "checkout-db-password", "gh-docker-registry", "session-signing-key"]);
    expect(inputsOf<EsoObject>(k8sNamed(v7, T.es, "vault-apps-canary", "apps-payments-checkout-api-prd")).spec.refreshInterval).toBe("30m");
    // quay-only-sample runs only on v6, so v7's pipelines policy must not read its robot.
    expect(policyText(v7, "pipelines-spoke-dc-v7-quay-robot-read")).not.toContain("quay-only-sample");
  });

  it("readPlatformOutputs reads the typed outputs back through a StackReference", async () => {
    // The mock runtime from the last run is still installed; its StackReferences resolve shipped stacks.
    const ref = new pulumi.StackReference("organization/platform-secrets/spoke-dc-v6");
    const read = await new Promise<PlatformSecretsOutputs>((resolve) => readPlatformOutputs(ref).apply(resolve));
    expect(read.cluster?.authPath).toBe("spoke-dc-v6-k8s");
    expect(read.cluster?.tenantNamespaces["apps-platform-liberty-hello-stg"]?.role).toBe("apps-spoke-dc-v6-platform");
    expect(read.foundation).toBeUndefined();
  });

  it("exports typed outputs per tenant namespace", () => {
    const out = runs["spoke-dc-v6"]!.outputs.cluster!;
    expect(out.cluster).toBe("spoke-dc-v6");
    expect(out.authPath).toBe("spoke-dc-v6-k8s");
    expect(out.kvMount).toBe("secret");
    expect(out.tenantNamespaces["apps-payments-checkout-api-dev"]).toEqual({
      division: "payments", app: "checkout-api", env: "dev", role: "apps-spoke-dc-v6-payments", policy: "apps-payments-read",
      store: "vault-apps", serviceAccount: "app-eso", vaultPathPrefix: "secret/apps/payments/",
    });
    expect(out.pullSecrets).toEqual(["app-registry-pull", "quay-pull"]);
    expect(out.ciSecrets.payments).toEqual({ namespace: "openshift-pipelines", secret: "quay-robot-team-payments", vaultKey: "apps/payments/checkout-api/ci/quay-robot" });
    expect(runs["vault"]!.outputs.foundation!.divisionPolicies).toEqual({ payments: "apps-payments-read", platform: "apps-platform-read" });
  });
});

describe("modes and variants", () => {
  it("single-cluster platform: owns the foundation, roles depend on its division policies, canaries wait for their value", async () => {
    const root = fixtureRoot({ "stacks/Pulumi.solo.yaml": ownFoundationStack(), "stacks/tenants.yaml": SEED_TENANTS });
    const { resources } = await runOffline({ root, stack: "solo" });
    expect(ofType(resources, T.stackRef)).toHaveLength(0);
    expect(ofType(resources, T.mount)[0]!.protect).toBe(true);
    const policy = ofType(resources, T.policy).find((p) => p.inputs.name === "apps-payments-read")!;
    const roleRes = ofType(resources, T.role).find((r) => inputsOf<RoleInputs>(r).roleName === "apps-spoke-dc-v6-payments")!;
    expect(roleRes.propertyDependencies.tokenPolicies).toContain(policy.urn);
    const canaryValue = ofType(resources, T.kv).find((k) => k.inputs.name === "apps/payments/_canary")!;
    const canaryEs = k8sNamed(resources, T.es, "vault-apps-canary", "apps-payments-checkout-api-prd");
    expect(canaryEs.dependencies.some((d) => d === canaryValue.parent || d === canaryValue.urn)).toBe(true);
    expect(inputsOf<EsoObject>(canaryEs).spec.data).toEqual([{ secretKey: "value", remoteRef: { key: "apps/payments/_canary", property: "value" } }]);
  });

  it("eso.apiVersion v1beta1 keeps older clusters working, validated against the v1beta1 schema", async () => {
    const root = fixtureRoot({ "stacks/Pulumi.old.yaml": ownFoundationStack({ "platform-secrets:eso": { apiVersion: "v1beta1" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const { resources } = await runOffline({ root, stack: "old" });
    const eso = resources.filter((r) => r.type.includes("external-secrets.io"));
    expect(eso.length).toBeGreaterThan(5);
    for (const r of eso) expect(r.type).toContain("external-secrets.io/v1beta1:");
  });

  it("reviewer-less mode: no long-lived token; every bound client gets system:auth-delegator", async () => {
    const cluster = { name: "spoke-dc-v6", apiServer: "https://api.example:6443", caCert: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n" };
    const root = fixtureRoot({
      "stacks/Pulumi.jwt.yaml": ownFoundationStack({ "platform-secrets:cluster": cluster, "platform-secrets:auth": { reviewer: "client-jwt" } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    const { resources } = await runOffline({ root, stack: "jwt" });
    expect(ofType(resources, T.secret)).toHaveLength(0);
    const config = ofType(resources, T.authConfig)[0]!;
    expect(config.inputs.tokenReviewerJwt).toBeUndefined();
    expect(inputsOf<{ kubernetesCaCert: string }>(config).kubernetesCaCert).toBe(cluster.caCert);
    const crb = inputsOf<{ subjects: Array<{ name: string; namespace: string }> }>(k8sNamed(resources, T.crb, "eso-vault-clients-auth-delegator"));
    const subjects = crb.subjects.map((s) => `${s.namespace}/${s.name}`).sort();
    expect(subjects).toEqual(["apps-payments-checkout-api-dev/app-eso", "apps-payments-checkout-api-prd/app-eso", "apps-platform-liberty-hello-dev/app-eso", "external-secrets/external-secrets", "openshift-pipelines/pipelines-vault-apps"]);
  });

  it("a custom auth path is used by the backend, the roles and every store", async () => {
    const root = fixtureRoot({ "stacks/Pulumi.p.yaml": ownFoundationStack({ "platform-secrets:auth": { path: "k8s-dc6" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const { resources } = await runOffline({ root, stack: "p" });
    expect(ofType(resources, T.authBackend)[0]!.inputs.path).toBe("k8s-dc6");
    for (const r of ofType(resources, T.role)) expect(r.inputs.backend).toBe("k8s-dc6");
    for (const s of [...ofType(resources, T.ss), ...ofType(resources, T.css)]) expect(inputsOf<EsoObject>(s).spec.provider.vault.auth.kubernetes.mountPath).toBe("k8s-dc6");
  });

  it("stops before registering anything when the foundation stack lacks a division (nothing half-created)", async () => {
    const root = fixtureRoot({
      "stacks/Pulumi.c.yaml": ownFoundationStack({ "platform-secrets:foundation": { stack: "org/platform-secrets/f" } }),
      "stacks/Pulumi.f.yaml": { config: { "platform-secrets:vault": { address: "https://vault.example:8200" } } },
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    const stale = { foundation: { kvMount: "secret", divisionPolicies: { platform: "apps-platform-read" }, canaryKeys: {}, adminGroups: {} } };
    const failure = await runOffline({ root, stack: "c", stackOutputs: () => stale }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProgramError);
    expect((failure as ProgramError).message).toMatch(/foundation stack org\/platform-secrets\/f has no read policy for division "payments"/);
    expect((failure as ProgramError).registered.map((r) => r.type)).toEqual(["platform-secrets:vault:FoundationReference", T.stackRef]);
  });

  it("checks the foundation's division policies (pure check used in the role's inputs)", () => {
    const stale = { kvMount: "secret", divisionPolicies: { platform: "apps-platform-read" }, canaryKeys: {}, adminGroups: {} };
    expect(foundationPolicy(stale, "platform", "secret", "org/p/f")).toBe("apps-platform-read");
    expect(() => foundationPolicy(stale, "payments", "secret", "org/p/f")).toThrow(/foundation stack org\/p\/f has no read policy for division "payments"/);
    expect(() => foundationPolicy(stale, "platform", "kv", "org/p/f")).toThrow(/manages KV mount "secret" but this stack's platform-secrets:vault.kvMount is "kv"/);
  });
});
