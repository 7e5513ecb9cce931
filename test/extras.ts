// Hand-written resources added to generated programs (policy.property.test.ts): harmless
// ones of every kind the pack now judges, which must never be reported, and harmful ones of
// every issue-24 family, each with the rule that must report it. Parameters (namespace,
// kind, type token, verb, credential, route…) are drawn at random.
import fc from "fast-check";
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import * as naming from "../model/naming";
import type { Tenant } from "../model/tenants";

export interface Extra {
  what: string;
  /** the rule that must report it; undefined for a harmless extra */
  rule?: string;
  add(): void;
}

/** The tenant namespaces a catalogue places on `cluster`, with their division and app. */
export function tenantNamespaces(tenants: readonly Tenant[], cluster: string): Array<{ namespace: string; division: string; app: string }> {
  return tenants.flatMap((t) => (t.deployments[cluster] ?? []).map((env) => ({ namespace: naming.tenantNamespace({ division: t.division, app: t.app, env }), division: t.division, app: t.app })));
}

const RBAC = "rbac.authorization.k8s.io";
const hcl = (path: string, caps: string[]) => `path "${path}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]\n}\n`;
let serial = 0;
const unique = (base: string) => `${base}-x${++serial}`;

type Ns = { namespace: string; division: string; app: string };

/** A pod-running resource of `kind` (by its SDK class or a generic CustomResource), in `namespace`, as `sa`. */
function workload(kind: string, generic: boolean, namespace: string, sa: string): void {
  const name = unique(kind.toLowerCase());
  const pod = { serviceAccountName: sa, restartPolicy: kind === "Job" || kind === "CronJob" ? "Never" : "Always", containers: [{ name: "main", image: "registry.example/tool:1" }] };
  const template = { metadata: { labels: { app: name } }, spec: pod };
  const spec =
    kind === "Pod" ? pod : kind === "Job" ? { template } : kind === "CronJob" ? { schedule: "0 * * * *", jobTemplate: { spec: { template } } } : { selector: { matchLabels: { app: name } }, template, ...(kind === "StatefulSet" ? { serviceName: name } : {}) };
  const apiVersion = kind === "Pod" ? "v1" : kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
  if (generic) {
    new k8s.apiextensions.CustomResource(name, { apiVersion, kind, metadata: { name, namespace }, spec });
    return;
  }
  const args = { metadata: { name, namespace }, spec } as never;
  if (kind === "Pod") new k8s.core.v1.Pod(name, args);
  else if (kind === "Deployment") new k8s.apps.v1.Deployment(name, args);
  else if (kind === "StatefulSet") new k8s.apps.v1.StatefulSet(name, args);
  else if (kind === "Job") new k8s.batch.v1.Job(name, args);
  else new k8s.batch.v1.CronJob(name, args);
}

const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "Job", "CronJob"] as const;

/** Harmless extras over the given tenant namespaces and cluster. */
export function harmless(namespaces: readonly Ns[], cluster: string): fc.Arbitrary<Extra> {
  const ns = fc.constantFrom(...namespaces);
  return fc.oneof(
    fc.record({ n: ns, key: fc.constantFrom("mode", "password-policy", "token-url", "LOG_LEVEL", "secret-name"), value: fc.constantFrom("blue", "https://sso.example/token", "min 12", "app-registry-pull") }).map(({ n, key, value }) => ({
      what: `ConfigMap ${key} in ${n.namespace}`,
      add: () => void new k8s.core.v1.ConfigMap(unique("settings"), { metadata: { name: unique("settings"), namespace: n.namespace }, data: { [key]: value } }),
    })),
    fc.record({ n: ns, subject: fc.constantFrom("system:authenticated", "devs", "system:serviceaccounts") }).map(({ n, subject }) => ({
      what: `view for ${subject} in ${n.namespace}`,
      add: () => void new k8s.rbac.v1.RoleBinding(unique("view"), { metadata: { name: unique("view"), namespace: n.namespace }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: subject, apiGroup: RBAC }] }),
    })),
    fc.record({ n: ns, res: fc.subarray(["pods", "pods/log", "configmaps", "services", "events"], { minLength: 1 }), verbs: fc.subarray(["get", "list", "watch"], { minLength: 1 }) }).map(({ n, res, verbs }) => ({
      what: `Role ${res.join(",")} ${verbs.join(",")} in ${n.namespace}`,
      add: () => {
        const name = unique("reader");
        new k8s.rbac.v1.Role(name, { metadata: { name, namespace: n.namespace }, rules: [{ apiGroups: [""], resources: res, verbs }] });
        new k8s.rbac.v1.RoleBinding(name, { metadata: { name, namespace: n.namespace }, roleRef: { apiGroup: RBAC, kind: "Role", name }, subjects: [{ kind: "User", name: "dev" }] });
      },
    })),
    fc.record({ n: ns, kind: fc.constantFrom(...WORKLOAD_KINDS), generic: fc.boolean(), sa: fc.constantFrom("default", "worker") }).map(({ n, kind, generic, sa }) => ({
      what: `${generic ? "generic " : ""}${kind} as ${sa} in ${n.namespace}`,
      add: () => workload(kind, generic, n.namespace, sa),
    })),
    fc.constantFrom("helpdesk", "readers").map((group) => ({
      what: `identity group ${group} holding default`,
      add: () => void new vault.identity.Group(unique(group), { name: unique(group), type: "internal", policies: ["default"], memberEntityIds: ["e-1"] }),
    })),
    fc.constantFrom("sonar/token", "smtp/relay").map((key) => ({
      what: `KV key ocp/${cluster}/${key}`,
      add: () => void new vault.kv.SecretV2(unique("seed"), { mount: "secret", name: `ocp/${cluster}/${key}-${serial}`, dataJson: JSON.stringify({ value: "x" }) }),
    })),
    fc.constant({
      what: "ClusterRole aggregating ConfigMap reads into view",
      add: () => void new k8s.rbac.v1.ClusterRole(unique("view-cm"), { metadata: { name: unique("view-cm"), labels: { [`${RBAC}/aggregate-to-view`]: "true" } }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] }),
    }),
    ns.map((n) => ({
      what: `templated ExternalSecret in ${n.namespace}`,
      add: () => {
        const name = unique("db-url");
        new k8s.apiextensions.CustomResource(`${n.namespace}-${name}`, {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name, namespace: n.namespace },
          spec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "SecretStore", name: naming.TENANT_STORE },
            target: { name, template: { data: { url: "postgres://{{ .user }}:{{ .password }}@db:5432/app", password: "{{ .password }}" } } },
            data: [{ secretKey: "password", remoteRef: { key: `apps/${n.division}/${n.app}/db`, property: "password" } }],
          },
        });
      },
    })),
  );
}

const DANGEROUS_RBAC: ReadonlyArray<[string, string, string]> = [
  ["", "secrets", "list"],
  ["", "serviceaccounts/token", "create"],
  ["", "pods", "create"],
  ["", "pods/exec", "create"],
  ["apps", "deployments", "patch"],
  ["batch", "cronjobs", "create"],
  [RBAC, "roles", "escalate"],
];

const CREDENTIALS: ReadonlyArray<[string, string]> = [
  ["tls.key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"],
  ["aws", "aws_access_key_id=AKIAABCDEFGHIJKLMNOP"],
  ["notes", `token ghp_${"Z9y8X7w6V5".repeat(4)}`],
  ["DATABASE_URL", "mysql://app:Passw0rd@db:3306/app"],
  ["api-key", "k-1234567890"],
  ["client_secret", "s3cr3t-value"],
];

/** Harmful extras, each with the rule that must report it. */
export function harmful(namespaces: readonly Ns[], cluster: string, other: string): fc.Arbitrary<Extra> {
  const ns = fc.constantFrom(...namespaces);
  const guarded = fc.oneof(ns.map((n) => n.namespace), fc.constant("external-secrets"));
  return fc.oneof(
    fc.record({ where: guarded, rule: fc.constantFrom(...DANGEROUS_RBAC) }).map(({ where, rule: [group, res, verb] }) => ({
      what: `Role ${group}/${res} ${verb} in ${where}`,
      rule: "tenant-rbac",
      add: () => {
        const name = unique("danger");
        new k8s.rbac.v1.Role(name, { metadata: { name, namespace: where }, rules: [{ apiGroups: [group], resources: [res], verbs: [verb] }] });
        new k8s.rbac.v1.RoleBinding(name, { metadata: { name, namespace: where }, roleRef: { apiGroup: RBAC, kind: "Role", name }, subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "ci" }] });
      },
    })),
    fc.record({ n: ns, kind: fc.constantFrom(...WORKLOAD_KINDS), generic: fc.boolean() }).map(({ n, kind, generic }) => ({
      what: `${generic ? "generic " : ""}${kind} as app-eso in ${n.namespace}`,
      rule: "service-account-use",
      add: () => workload(kind, generic, n.namespace, naming.TENANT_SERVICE_ACCOUNT),
    })),
    fc.record({ where: guarded, cred: fc.constantFrom(...CREDENTIALS) }).map(({ where, cred: [key, value] }) => ({
      what: `ConfigMap ${key} in ${where}`,
      rule: "no-literal-secrets",
      add: () => void new k8s.core.v1.ConfigMap(unique("leak"), { metadata: { name: unique("leak"), namespace: where }, data: { [key]: value } }),
    })),
    fc.constantFrom("kv", "role", "policy", "config").map((how) => ({
      what: `a ${how} write for cluster ${other}`,
      rule: "cluster-ownership",
      add: () => {
        const name = unique("foreign");
        if (how === "kv") new vault.kv.SecretV2(name, { mount: "secret", name: `ocp/${other}/registries/app-registry-pull`, dataJson: "{}" });
        else if (how === "role") new vault.generic.Endpoint(name, { path: `auth/${other}-k8s/role/${name}`, dataJson: JSON.stringify({ bound_service_account_names: ["app-eso"], bound_service_account_namespaces: ["x"], token_policies: ["default"] }) });
        else if (how === "policy") new vault.Policy(name, { name: `platform-${other}-read`, policy: hcl(`secret/data/ocp/${other}/*`, ["read"]) });
        else new vault.kubernetes.AuthBackendConfig(name, { backend: `${other}-k8s`, kubernetesHost: "https://api.example:6443" });
      },
    })),
    fc.constantFrom("alias", "entities", "subgroup").map((route) => ({
      what: `an admin group joined through ${route}`,
      rule: "vault-effective-access",
      add: () => {
        const name = unique("vault-admins-z");
        const g = new vault.identity.Group(name, { name, type: route === "alias" ? "external" : "internal", policies: ["dc-kv-rw"] });
        if (route === "alias") new vault.identity.GroupAlias(name, { name: "everyone", mountAccessor: "auth_oidc_1", canonicalId: g.id });
        else if (route === "entities") new vault.identity.GroupMemberEntityIds(name, { groupId: g.id, memberEntityIds: ["e-9"] });
        else new vault.identity.GroupMemberGroupIds(name, { groupId: g.id, memberGroupIds: [new vault.identity.Group(`${name}-sub`, { name: `${name}-sub`, type: "internal" }).id] });
      },
    })),
    fc.constantFrom("Apps-Payments-Read", "APPS-PAYMENTS-READ", " apps-payments-read").map((spelled) => ({
      what: `the division policy rewritten as "${spelled}"`,
      rule: "vault-policy-shape",
      add: () => void new vault.generic.Endpoint(unique("respelled"), { path: `sys/policies/acl/${spelled.trim()}`, dataJson: JSON.stringify({ policy: hcl("secret/data/apps/*", ["read"]) }) }),
    })),
    fc.constantFrom("Ingress", "MutatingWebhookConfiguration").map((kind) => ({
      what: `a ${kind}`,
      rule: "unjudged-type",
      add: () => {
        const name = unique(kind.toLowerCase());
        if (kind === "Ingress") new k8s.networking.v1.Ingress(name, { metadata: { name, namespace: "external-secrets" }, spec: { rules: [{ host: "x.example" }] } });
        else new k8s.admissionregistration.v1.MutatingWebhookConfiguration(name, { metadata: { name }, webhooks: [] });
      },
    })),
    fc.constant({
      what: "a PushSecret from a Secret into the fanned pull secret key",
      rule: "pushed-secret-source",
      add: () =>
        void new k8s.apiextensions.CustomResource(unique("push-leak"), {
          apiVersion: "external-secrets.io/v1alpha1",
          kind: "PushSecret",
          metadata: { name: unique("push-leak"), namespace: "external-secrets" },
          spec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: naming.PLATFORM_STORE }], selector: { secret: { name: naming.REVIEWER_TOKEN_SECRET } }, data: [{ match: { secretKey: "token", remoteRef: { remoteKey: naming.registryKey(cluster, "app-registry-pull") } } }] },
        }),
    }),
  );
}
