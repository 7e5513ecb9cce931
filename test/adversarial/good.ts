// Unusual but legitimate hand-written additions: each must pass the whole pack. They guard
// against the pack judging by form (deny stanzas, exact paths, narrower grants, extra labels).
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { Fragment } from "./bad";
import { FAMILY_GOOD } from "./families";

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
  ...FAMILY_GOOD,
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
  // The secret catalogue (issue 13), written by hand the way the program writes it.
  {
    name: "a per-namespace generated secret from a Password ClusterGenerator, rotated every 30 days",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.apiextensions.CustomResource("csrf-generator", {
        apiVersion: "generators.external-secrets.io/v1alpha1",
        kind: "ClusterGenerator",
        metadata: { name: "csrf-key" },
        spec: { kind: "Password", generator: { passwordSpec: { length: 48, noUpper: false, allowRepeat: true } } },
      });
      new k8s.apiextensions.CustomResource("csrf-key", {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterExternalSecret",
        metadata: { name: "csrf-key" },
        spec: {
          namespaceSelectors: [{ matchLabels: { ...TENANT, "secrets/csrf-key": "true" } }],
          refreshTime: "1h",
          externalSecretSpec: {
            refreshInterval: "720h",
            target: { name: "csrf-key" },
            dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "ClusterGenerator", name: "csrf-key" } } }],
          },
        },
      });
    },
  },
  {
    name: "a distributed secret selecting two tenant namespaces by name, reading a key of this cluster",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.apiextensions.CustomResource("sonar-token", {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterExternalSecret",
        metadata: { name: "sonar-token" },
        spec: {
          namespaceSelectors: [{ matchLabels: TENANT, matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["apps-payments-checkout-api-dev", "apps-payments-checkout-api-stg"] }] }],
          refreshTime: "1h",
          externalSecretSpec: {
            secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
            target: { name: "sonar-token" },
            data: [{ secretKey: "token", remoteRef: { key: "ocp/spoke-dc-v6/sonar/token", property: "token" } }],
          },
        },
      }),
  },
  {
    name: "a generated database password pushed to the primary by its own write-only-there store",
    stack: "spoke-dc-v6",
    fragment: () => {
      const key = "secret/data/ocp/spoke-dc-v6/generated/orders-db";
      new vault.Policy("push-write", { name: "platform-spoke-dc-v6-push-write", policy: hcl([key, ["create", "read", "update"]], [key.replace("/data/", "/metadata/"), ["create", "read", "update"]]) });
      new vault.kubernetes.AuthBackendRole("push-role", {
        backend: "spoke-dc-v6-k8s",
        roleName: "platform-spoke-dc-v6-push",
        boundServiceAccountNames: ["eso-vault-push"],
        boundServiceAccountNamespaces: ["external-secrets"],
        audience: "vault",
        aliasNameSource: "serviceaccount_uid",
        tokenTtl: 1200,
        tokenMaxTtl: 3600,
        tokenPolicies: ["platform-spoke-dc-v6-push-write"],
      });
      new k8s.core.v1.ServiceAccount("push-sa", { metadata: { name: "eso-vault-push", namespace: "external-secrets" } });
      new k8s.apiextensions.CustomResource("push-store", {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "vault-platform-push", namespace: "external-secrets" },
        spec: {
          provider: {
            vault: {
              server: "https://vault.sub.comptech-lab.com:8200",
              path: "secret",
              version: "v2",
              auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6-push", serviceAccountRef: { name: "eso-vault-push", audiences: ["vault"] } } },
            },
          },
        },
      });
      new k8s.apiextensions.CustomResource("orders-db-generator", {
        apiVersion: "generators.external-secrets.io/v1alpha1",
        kind: "Password",
        metadata: { name: "orders-db", namespace: "external-secrets" },
        spec: { length: 32, noUpper: false, allowRepeat: true },
      });
      new k8s.apiextensions.CustomResource("orders-db-push", {
        apiVersion: "external-secrets.io/v1alpha1",
        kind: "PushSecret",
        metadata: { name: "orders-db", namespace: "external-secrets" },
        spec: {
          refreshInterval: "2160h",
          updatePolicy: "Replace",
          secretStoreRefs: [{ kind: "SecretStore", name: "vault-platform-push" }],
          selector: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: "orders-db" } },
          data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/orders-db", property: "password" } } }],
        },
      });
    },
  },
];
