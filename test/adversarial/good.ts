// Unusual but legitimate hand-written additions: each must pass the whole pack. They guard
// against the pack judging by form (deny stanzas, exact paths, narrower grants, extra labels).
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { Fragment } from "./bad";

const hcl = (...rules: Array<[string, string[]]>) => rules.map(([p, caps]) => `path "${p}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");
const policy = (name: string, text: string) => new vault.Policy(name, { name, policy: text });
const TENANT = { "apps.platform/tenant": "true" };

const ces = (name: string, selection: Record<string, unknown>) =>
  new k8s.apiextensions.CustomResource(name, {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterExternalSecret",
    metadata: { name },
    spec: {
      ...selection,
      refreshTime: "1h",
      externalSecretName: name,
      externalSecretSpec: {
        refreshInterval: "1h",
        secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
        target: { name },
        data: [{ secretKey: ".dockerconfigjson", remoteRef: { key: `ocp/spoke-dc-v6/registries/${name}`, property: "dockerconfigjson" } }],
      },
    },
  });

const es = (name: string, namespace: string, spec: Record<string, unknown>) =>
  new k8s.apiextensions.CustomResource(`${namespace}-${name}`, {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace },
    spec: { refreshInterval: "1h", secretStoreRef: { kind: "SecretStore", name: "vault-apps" }, target: { name }, ...spec },
  });

export const GOOD: Fragment[] = [
  {
    name: "division policy with a deny stanza",
    stack: "vault",
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/*", ["read"]], ["secret/data/apps/retail/legacy/*", ["deny"]])),
  },
  {
    name: "division policy on one exact path",
    stack: "vault",
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/shop/config", ["read"]])),
  },
  {
    name: "division policy listing its own metadata",
    stack: "vault",
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/*", ["read"]], ["secret/metadata/apps/retail/*", ["read", "list"]])),
  },
  {
    name: "division policy with + inside its own subtree",
    stack: "vault",
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/+/config", ["read"]])),
  },
  {
    name: "division policy whose deny is more specific than a + grant",
    stack: "vault",
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/+/*", ["read"]], ["secret/data/apps/retail/+/ci/*", ["deny"]])),
  },
  {
    name: "narrower admin group: read-only on apps",
    stack: "vault",
    fragment: () => {
      policy("qa-kv-rw", hcl(["secret/data/apps/*", ["read"]], ["secret/metadata/", ["list"]]));
      new vault.identity.Group("vault-admins-qa", { name: "vault-admins-qa", type: "external", policies: ["qa-kv-rw"] });
    },
  },
  {
    name: "admin group writing one + path inside its prefix",
    stack: "vault",
    fragment: () => {
      policy("qa-kv-rw", hcl(["secret/data/apps/+/config", ["read", "update"]]));
      new vault.identity.Group("vault-admins-qa", { name: "vault-admins-qa", type: "external", policies: ["qa-kv-rw"] });
    },
  },
  {
    name: "KV secret seeded for a new division",
    stack: "vault",
    fragment: () => void new vault.kv.SecretV2("retail-config", { mount: "secret", name: "apps/retail/shop/config", dataJson: JSON.stringify({ mode: "dark" }) }),
  },
  {
    name: "AppRole holding only the default policy",
    stack: "spoke-dc-v6",
    fragment: () => void new vault.approle.AuthBackendRole("metrics", { backend: "approle", roleName: "metrics", tokenPolicies: ["default"] }),
  },
  {
    name: "identity entity without policies",
    stack: "spoke-dc-v6",
    fragment: () => void new vault.identity.Entity("alice", { name: "alice", policies: [] }),
  },
  {
    name: "extra non-platform labels on a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => void new k8s.core.v1.NamespacePatch("cost-center", { metadata: { name: "apps-payments-checkout-api-dev", labels: { "example.com/cost-center": "4711" } } }),
  },
  {
    name: "ClusterExternalSecret ANDing an env expression with the tenant label",
    stack: "spoke-dc-v6",
    fragment: () => void ces("dev-mirror-pull", { namespaceSelectors: [{ matchLabels: TENANT, matchExpressions: [{ key: "apps.platform/env", operator: "In", values: ["dev"] }] }] }),
  },
  {
    name: "ClusterExternalSecret selecting the tenant label with In",
    stack: "spoke-dc-v6",
    fragment: () => void ces("in-pull", { namespaceSelectors: [{ matchExpressions: [{ key: "apps.platform/tenant", operator: "In", values: ["true"] }] }] }),
  },
  {
    name: "ClusterExternalSecret listing a declared tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => void ces("listed-pull", { namespaces: ["apps-payments-checkout-api-dev"] }),
  },
  {
    name: "tenant ExternalSecret naming its own store per item",
    stack: "spoke-dc-v6",
    fragment: () =>
      void es("db", "apps-payments-checkout-api-dev", {
        data: [{ secretKey: "password", remoteRef: { key: "apps/payments/checkout-api/db", property: "password" }, sourceRef: { storeRef: { kind: "SecretStore", name: "vault-apps" } } }],
      }),
  },
  {
    name: "tenant ExternalSecret refreshing every 15 minutes",
    stack: "spoke-dc-v6",
    fragment: () => void es("flags", "apps-platform-liberty-hello-stg", { refreshInterval: "15m", data: [{ secretKey: "flags", remoteRef: { key: "apps/platform/liberty-hello/flags", property: "value" } }] }),
  },
  {
    name: "RoleBinding giving view in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.rbac.v1.RoleBinding("support-view", {
        metadata: { name: "support-view", namespace: "apps-payments-checkout-api-dev" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "Group", name: "support", apiGroup: "rbac.authorization.k8s.io" }],
      }),
  },
  {
    name: "Role reading ConfigMaps in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.rbac.v1.Role("config-reader", { metadata: { name: "config-reader", namespace: "apps-platform-liberty-hello-dev" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }] });
      new k8s.rbac.v1.RoleBinding("config-reader", {
        metadata: { name: "config-reader", namespace: "apps-platform-liberty-hello-dev" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "config-reader" },
        subjects: [{ kind: "ServiceAccount", name: "default", namespace: "apps-platform-liberty-hello-dev" }],
      });
    },
  },
  {
    name: "auth-delegator for another reviewer",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.rbac.v1.ClusterRoleBinding("backup-reviewer", {
        metadata: { name: "backup-reviewer" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: [{ kind: "ServiceAccount", name: "backup", namespace: "external-secrets" }],
      }),
  },
  {
    name: "ConfigMap and extra ServiceAccount in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.core.v1.ConfigMap("settings", { metadata: { name: "settings", namespace: "apps-payments-checkout-api-stg" }, data: { mode: "blue" } });
      new k8s.core.v1.ServiceAccount("worker", { metadata: { name: "worker", namespace: "apps-payments-checkout-api-stg" } });
    },
  },
  {
    name: "extra NetworkPolicy in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.networking.v1.NetworkPolicy("deny-all", { metadata: { name: "deny-all", namespace: "apps-payments-checkout-api-dev" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }),
  },
  {
    name: "raw write of KV data for a tenant",
    stack: "vault",
    fragment: () => void new vault.generic.Endpoint("payments-flags", { path: "secret/data/apps/payments/checkout-api/flags", dataJson: JSON.stringify({ data: { dark: "on" } }) }),
  },
];
