// Hand-written resources a platform engineer might add to a stack, each wrong in what it
// grants, routes or exposes. Written as a user writes them: SDK classes and literal names,
// never the naming module. Each names the rule that must report it and what the message
// must name (principal, path, resource).
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { PolicyPackConfig } from "@pulumi/policy";
import { FAMILY_BAD } from "./families";

export interface Fragment {
  name: string;
  /** shipped stack it is added to */
  stack: "spoke-dc-v6" | "vault";
  fragment: () => void;
  /** the --policy-pack-config it is previewed with (default: none) */
  config?: PolicyPackConfig;
  /** issue 24's family, for the per-family count */
  family?: string;
}

export interface BadFragment extends Fragment {
  rule: string;
  message: RegExp;
}

const cr = (name: string, apiVersion: string, kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
  new k8s.apiextensions.CustomResource(name, { apiVersion, kind, metadata, spec });

const role = (name: string, args: Partial<vault.kubernetes.AuthBackendRoleArgs>) =>
  new vault.kubernetes.AuthBackendRole(name, {
    backend: "spoke-dc-v6-k8s",
    roleName: name,
    boundServiceAccountNames: ["app-eso"],
    boundServiceAccountNamespaces: ["apps-payments-checkout-api-dev"],
    audience: "vault",
    aliasNameSource: "serviceaccount_uid",
    tokenTtl: 1200,
    tokenMaxTtl: 3600,
    ...args,
  });

const policy = (name: string, text: string) => new vault.Policy(name, { name, policy: text });

const hcl = (...rules: Array<[string, string[]]>) => rules.map(([p, caps]) => `path "${p}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");

const endpoint = (name: string, path: string, data: Record<string, unknown>) => new vault.generic.Endpoint(name, { path, dataJson: JSON.stringify(data), disableRead: true });

const tenantNamespace = (name: string, division: string, app: string, extra: Record<string, string> = {}) =>
  new k8s.core.v1.Namespace(name, {
    metadata: { name, labels: { "apps.platform/tenant": "true", "apps.platform/division": division, "apps.platform/app": app, "apps.platform/env": "dev", ...extra } },
  });

const store = (name: string, namespace: string, vaultSpec: Record<string, unknown>) =>
  cr(`${namespace}-${name}`, "external-secrets.io/v1", "SecretStore", { name, namespace }, {
    provider: {
      vault: {
        server: "https://vault.sub.comptech-lab.com:8200",
        path: "secret",
        version: "v2",
        auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "apps-spoke-dc-v6-payments", serviceAccountRef: { name: "app-eso", audiences: ["vault"] } } },
        ...vaultSpec,
      },
    },
  });

const ces = (name: string, selection: Record<string, unknown>) =>
  cr(name, "external-secrets.io/v1", "ClusterExternalSecret", { name }, {
    ...selection,
    refreshTime: "1h",
    externalSecretName: name,
    externalSecretSpec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
      target: { name },
      data: [{ secretKey: ".dockerconfigjson", remoteRef: { key: "ocp/spoke-dc-v6/registries/app-registry-pull", property: "dockerconfigjson" } }],
    },
  });

const css = (name: string, conditions: unknown[] | undefined, sa = { name: "external-secrets", namespace: "external-secrets" }) =>
  cr(name, "external-secrets.io/v1", "ClusterSecretStore", { name }, {
    ...(conditions ? { conditions } : {}),
    provider: {
      vault: {
        server: "https://vault.sub.comptech-lab.com:8200",
        path: "secret",
        version: "v2",
        auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6", serviceAccountRef: { ...sa, audiences: ["vault"] } } },
      },
    },
  });

const es = (name: string, namespace: string, spec: Record<string, unknown>) =>
  cr(`${namespace}-${name}`, "external-secrets.io/v1", "ExternalSecret", { name, namespace }, { refreshInterval: "1h", target: { name }, ...spec });

const TENANT = { "apps.platform/tenant": "true" };
const CRUD = ["create", "read", "update", "delete", "list"];

export const BAD: BadFragment[] = [
  ...FAMILY_BAD,
  // --- effective Vault access and policy shapes
  {
    name: "ops-kv-rw with create/read/update/delete/list on secret/+/*",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"ops-kv-rw".*admin policy but reaches secret\/…\/… \(create, .*through path "secret\/\+\/\*"/,
    fragment: () => void policy("ops-kv-rw", hcl(["secret/+/*", CRUD])),
  },
  {
    name: "platform-named role binding a tenant namespace's default ServiceAccount",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount apps-payments-checkout-api-dev\/default \(not the tenant's app-eso\) reaches secret\/data\/apps\/payments\/.* role spoke-dc-v6-k8s\/platform-spoke-dc-v6-extra/,
    fragment: () => void role("platform-spoke-dc-v6-extra", { boundServiceAccountNames: ["default"], tokenPolicies: ["apps-payments-read"] }),
  },
  {
    name: "division prefix: apps-<cluster>-pay binding a pay-roll namespace",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount apps-pay-roll-ledger-dev\/app-eso \(tenant, division pay-roll\) reaches secret\/data\/apps\/pay\/.*"apps-pay-read"|apps-pay-roll-ledger-dev\/app-eso \(tenant, division pay-roll\) reaches secret\/data\/apps\/pay\//,
    fragment: () => {
      tenantNamespace("apps-pay-roll-ledger-dev", "pay-roll", "ledger");
      policy("apps-pay-read", hcl(["secret/data/apps/pay/*", ["read"]]));
      role("apps-spoke-dc-v6-pay", { boundServiceAccountNamespaces: ["apps-pay-roll-ledger-dev"], tokenPolicies: ["apps-pay-read"] });
    },
  },
  {
    name: "raw write of a kubernetes role bound to */*",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /any ServiceAccount matching "\*" in namespaces matching "\*" .*reaches secret\/data\/apps\/payments\/.*auth\/spoke-dc-v6-k8s\/role\/anything/,
    fragment: () =>
      void endpoint("anything-role", "auth/spoke-dc-v6-k8s/role/anything", { bound_service_account_names: ["*"], bound_service_account_namespaces: ["*"], token_policies: ["apps-payments-read"], audience: "vault" }),
  },
  {
    name: "AppRole role carrying a tenant and an admin policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /appRole\.AuthBackendRole approle\/ci reaches secret\/.*dc-kv-rw|appRole\.AuthBackendRole approle\/ci reaches secret\/data\/apps\/payments/,
    fragment: () => void new vault.approle.AuthBackendRole("ci", { backend: "approle", roleName: "ci", tokenPolicies: ["apps-payments-read", "dc-kv-rw"] }),
  },
  {
    name: "identity entity holding a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /identity\.Entity bob reaches secret\/data\/apps\/platform\//,
    fragment: () => void new vault.identity.Entity("bob", { name: "bob", policies: ["apps-platform-read"] }),
  },
  {
    name: "identity group not named vault-admins-<env> holding the admin policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /identity\.Group ops reaches secret\/data\/apps\/.*dc-kv-rw/,
    fragment: () => void new vault.identity.Group("ops", { name: "ops", type: "internal", policies: ["dc-kv-rw"] }),
  },
  {
    name: "token auth role allowed a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /tokenauth\.AuthBackendRole deploy reaches secret\/data\/apps\/payments\//,
    fragment: () => void new vault.tokenauth.AuthBackendRole("deploy", { roleName: "deploy", allowedPolicies: ["apps-payments-read"] }),
  },
  {
    name: "raw token role allowed a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /token role ci \(written to auth\/token\/roles\/ci\) reaches secret\/data\/apps\/platform\//,
    fragment: () => void endpoint("token-role-ci", "auth/token/roles/ci", { allowed_policies: ["apps-platform-read"], orphan: true }),
  },
  {
    name: "a token minted with the admin policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /Token .* reaches secret\/.*dc-kv-rw/,
    fragment: () => void new vault.Token("break-glass", { policies: ["dc-kv-rw"], ttl: "24h" }),
  },
  {
    name: "policy written through sys/policies/acl widening a tenant's role",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /apps-payments-checkout-api-dev\/app-eso \(tenant, division payments\) reaches secret\/data\/apps\/….*"secret\/data\/apps\/\*" of policy payments-extra/,
    fragment: () => {
      endpoint("payments-extra", "sys/policies/acl/payments-extra", { policy: hcl(["secret/data/apps/*", ["read"]]) });
      role("apps-spoke-dc-v6-payments-extra", { tokenPolicies: ["payments-extra"] });
    },
  },
  {
    name: "policy written through the old sys/policy API widening the platform store",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount external-secrets\/external-secrets \(platform store\) reaches secret\/data\/ocp\/….*registries-all/,
    fragment: () => {
      endpoint("registries-all", "sys/policy/registries-all", { rules: hcl(["secret/data/ocp/*", ["read"]]) });
      role("platform-spoke-dc-v6-all", { boundServiceAccountNames: ["external-secrets"], boundServiceAccountNamespaces: ["external-secrets"], tokenPolicies: ["registries-all"] });
    },
  },
  {
    name: "tenant role with update on its own division",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /apps-payments-checkout-api-dev\/app-eso \(tenant, division payments\) reaches secret\/data\/apps\/payments\/… \(update\)/,
    fragment: () => {
      policy("payments-writer", hcl(["secret/data/apps/payments/*", ["read", "update"]]));
      role("apps-spoke-dc-v6-payments-writer", { tokenPolicies: ["payments-writer"] });
    },
  },
  {
    name: "pipelines role reading every robot with + segments",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /openshift-pipelines\/pipelines-vault-apps \(pipelines\) reaches secret\/data\/apps\/…\/…\/ci\/quay-robot/,
    fragment: () => {
      policy("pipelines-robots-all", hcl(["secret/data/apps/+/+/ci/quay-robot", ["read"]]));
      role("pipelines-spoke-dc-v6-all", { boundServiceAccountNames: ["pipelines-vault-apps"], boundServiceAccountNamespaces: ["openshift-pipelines"], tokenPolicies: ["pipelines-robots-all"] });
    },
  },
  {
    name: "pipelines role reading the robot of a tenant not on this cluster",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /pipelines-vault-apps \(pipelines\) reaches secret\/data\/apps\/retail\/shop\/ci\/quay-robot/,
    fragment: () => {
      policy("pipelines-retail", hcl(["secret/data/apps/retail/shop/ci/quay-robot", ["read"]]));
      role("pipelines-spoke-dc-v6-retail", { boundServiceAccountNames: ["pipelines-vault-apps"], boundServiceAccountNamespaces: ["openshift-pipelines"], tokenPolicies: ["pipelines-retail"] });
    },
  },
  {
    name: "a deny that does not cover the other divisions",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /apps-payments-checkout-api-dev\/app-eso .*reaches secret\/data\/apps\/… \(read\) through path "secret\/data\/apps\/\*"/,
    fragment: () => {
      policy("payments-but-not-platform", hcl(["secret/data/apps/*", ["read"]], ["secret/data/apps/platform/*", ["deny"]]));
      role("apps-spoke-dc-v6-payments-deny", { tokenPolicies: ["payments-but-not-platform"] });
    },
  },
  {
    name: "a trailing * in the middle of a segment reaching divisions that share the prefix",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /reaches secret\/data\/apps\/pay… \(read\) through path "secret\/data\/apps\/pay\*"/,
    fragment: () => {
      policy("payments-prefix", hcl(["secret/data/apps/pay*", ["read"]]));
      role("apps-spoke-dc-v6-payments-prefix", { tokenPolicies: ["payments-prefix"] });
    },
  },
  {
    name: "a role binding a namespace the stack does not declare",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /apps-payments-checkout-api-qa\/app-eso \(not a principal the catalogue knows\) reaches secret\/data\/apps\/payments\//,
    fragment: () => void role("apps-spoke-dc-v6-payments-qa", { boundServiceAccountNamespaces: ["apps-payments-checkout-api-qa"], tokenPolicies: ["apps-payments-read"] }),
  },
  {
    name: "a role binding namespaces by label selector",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /any ServiceAccount in namespaces selected by .*reaches secret\/data\/apps\/platform\//,
    fragment: () =>
      void role("apps-spoke-dc-v6-platform-sel", {
        boundServiceAccountNamespaces: [],
        boundServiceAccountNamespaceSelector: JSON.stringify({ matchLabels: TENANT }),
        tokenPolicies: ["apps-platform-read"],
      }),
  },
  {
    name: "a role binding a namespace glob",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /any ServiceAccount matching "app-eso" in namespaces matching "apps-payments-\*" .*reaches secret\/data\/apps\/payments\//,
    fragment: () => void role("apps-spoke-dc-v6-payments-glob", { boundServiceAccountNamespaces: ["apps-payments-*"], tokenPolicies: ["apps-payments-read"] }),
  },
  {
    name: "an LDAP group holding a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ldap\.AuthBackendGroup ldap\/devs reaches secret\/data\/apps\/payments\//,
    fragment: () => void new vault.ldap.AuthBackendGroup("devs", { backend: "ldap", groupname: "devs", policies: ["apps-payments-read"] }),
  },
  {
    name: "a JWT role holding the admin policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /jwt\.AuthBackendRole jwt\/gitlab reaches secret\//,
    fragment: () => void new vault.jwt.AuthBackendRole("gitlab", { backend: "jwt", roleName: "gitlab", roleType: "jwt", userClaim: "sub", boundAudiences: ["gitlab"], tokenPolicies: ["dc-kv-rw"] }),
  },
  {
    name: "a userpass user written raw with a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /auth\/userpass\/users\/alice \(raw write\) reaches secret\/data\/apps\/payments\//,
    fragment: () => void endpoint("alice", "auth/userpass/users/alice", { password: "correct-horse", token_policies: "apps-payments-read,default" }),
  },
  {
    name: "group policies attached to a group by id",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /identity\.GroupPolicies .* reaches secret\/data\/apps\/platform\//,
    fragment: () => void new vault.identity.GroupPolicies("extra", { groupId: "2f7c1a9e", policies: ["apps-platform-read"], exclusive: false }),
  },
  {
    name: "an AppRole that can rewrite every policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /appRole\.AuthBackendRole approle\/policy-bot reaches sys\/policies\/acl\/… \(create, update\)/,
    fragment: () => {
      policy("policy-writer", hcl(["sys/policies/acl/*", ["create", "update"]]));
      new vault.approle.AuthBackendRole("policy-bot", { backend: "approle", roleName: "policy-bot", tokenPolicies: ["policy-writer"] });
    },
  },
  {
    name: "an admin group whose policy writes outside its prefixes",
    stack: "vault",
    rule: "vault-effective-access",
    message: /identity\.Group vault-admins-qa reaches secret\/data\/… \(create, .*qa-tools/,
    fragment: () => {
      policy("qa-tools", hcl(["secret/data/*", CRUD]));
      new vault.identity.Group("vault-admins-qa", { name: "vault-admins-qa", type: "external", policies: ["qa-tools"] });
    },
  },
  {
    name: "a division policy widened through a raw write",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"apps-retail-read" \(a write to sys\/policies\/acl\/apps-retail-read\) is named as a division policy but reaches secret\/data\/apps\/…/,
    fragment: () => void endpoint("apps-retail-read", "sys/policies/acl/apps-retail-read", { policy: hcl(["secret/data/apps/*", ["read"]]) }),
  },
  {
    name: "a division policy with sudo",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"apps-retail-read" path "secret\/data\/apps\/retail\/\*" grants sudo/,
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/*", ["read", "sudo"]])),
  },
  {
    name: "a division policy deleting metadata",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"apps-retail-read" .*reaches secret\/metadata\/apps\/retail\/… \(delete\)/,
    fragment: () => void policy("apps-retail-read", hcl(["secret/data/apps/retail/*", ["read"]], ["secret/metadata/apps/retail/*", ["read", "list", "delete"]])),
  },
  {
    name: "a platform policy reading another cluster's registries",
    stack: "spoke-dc-v6",
    rule: "vault-policy-shape",
    message: /"platform-spoke-dc-v9-read" .*reaches secret\/data\/ocp\/spoke-dc-v6\/registries\//,
    fragment: () => void policy("platform-spoke-dc-v9-read", hcl(["secret/data/ocp/spoke-dc-v6/registries/*", ["read"]])),
  },

  // --- namespace selection
  {
    name: "ClusterExternalSecret listing openshift-config",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret mirror-pull lists namespace openshift-config/,
    fragment: () => void ces("mirror-pull", { namespaces: ["openshift-config"] }),
  },
  {
    name: "ClusterExternalSecret selecting tenant Exists (any value)",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret exists-pull selector 0 .*any namespace labelled \{"apps\.platform\/tenant":"x0"\}/,
    fragment: () => void ces("exists-pull", { namespaceSelectors: [{ matchExpressions: [{ key: "apps.platform/tenant", operator: "Exists" }] }] }),
  },
  {
    name: "ClusterExternalSecret ORing in kube-system by name label",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret kube-pull selector 1 .*it selects kube-system/,
    fragment: () => void ces("kube-pull", { namespaceSelectors: [{ matchLabels: TENANT }, { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }] }),
  },
  {
    name: "ClusterExternalSecret selecting tenant NotIn [false]",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret notin-pull selector 0 .*it selects external-secrets/,
    fragment: () => void ces("notin-pull", { namespaceSelectors: [{ matchExpressions: [{ key: "apps.platform/tenant", operator: "NotIn", values: ["false"] }] }] }),
  },
  {
    name: "ClusterExternalSecret with the deprecated empty namespaceSelector",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret all-pull selector 0 \{\} .*it selects external-secrets/,
    fragment: () => void ces("all-pull", { namespaceSelector: {} }),
  },
  {
    name: "ClusterExternalSecret selecting by division label alone",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret payments-pull .*any namespace labelled \{"apps\.platform\/division":"payments"\}/,
    fragment: () => void ces("payments-pull", { namespaceSelectors: [{ matchLabels: { "apps.platform/division": "payments" } }] }),
  },
  {
    name: "ClusterSecretStore condition with an unanchored namespace regex",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterSecretStore vault-apps-regex conditions\[0\] namespaceRegexes "apps-\.\*"/,
    fragment: () => void css("vault-apps-regex", [{ namespaceRegexes: ["apps-.*"] }]),
  },
  {
    name: "ClusterSecretStore condition listing openshift-pipelines",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterSecretStore vault-platform-ci conditions\[1\] lists namespace openshift-pipelines/,
    fragment: () => void css("vault-platform-ci", [{ namespaceSelector: { matchLabels: TENANT } }, { namespaces: ["openshift-pipelines"] }]),
  },
  {
    name: "ClusterSecretStore without conditions",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterSecretStore vault-shared \(no conditions\) can be used from every namespace/,
    fragment: () => void css("vault-shared", undefined),
  },
  {
    name: "ClusterSecretStore condition selecting namespaces without the tenant label",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterSecretStore vault-untenanted conditions\[0\] selector 0 .*DoesNotExist.*it selects external-secrets/,
    fragment: () => void css("vault-untenanted", [{ namespaceSelector: { matchExpressions: [{ key: "apps.platform/tenant", operator: "DoesNotExist" }] } }]),
  },
  {
    name: "ClusterPushSecret selecting every namespace",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterPushSecret push-all selector 0 \{\}/,
    fragment: () =>
      void cr("push-all", "external-secrets.io/v1alpha1", "ClusterPushSecret", { name: "push-all" }, {
        namespaceSelectors: [{}],
        pushSecretName: "push-all",
        pushSecretSpec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-platform" }], selector: { secret: { name: "creds" } }, data: [{ match: { secretKey: "token", remoteRef: { remoteKey: "ocp/spoke-dc-v6/pushed" } } }] },
      }),
  },

  // --- namespace labels
  {
    name: "NamespacePatch labelling openshift-config as a tenant",
    stack: "spoke-dc-v6",
    rule: "tenant-namespace-naming",
    message: /NamespacePatch openshift-config sets apps\.platform\/tenant/,
    fragment: () => void new k8s.core.v1.NamespacePatch("openshift-config", { metadata: { name: "openshift-config", labels: TENANT } }),
  },
  {
    name: "NamespacePatch moving a tenant namespace to another division",
    stack: "spoke-dc-v6",
    rule: "tenant-namespace-naming",
    message: /NamespacePatch apps-payments-checkout-api-dev sets apps\.platform\/division/,
    fragment: () => void new k8s.core.v1.NamespacePatch("move", { metadata: { name: "apps-payments-checkout-api-dev", labels: { "apps.platform/division": "platform" } } }),
  },
  {
    name: "a namespace not named apps-… labelled as a tenant",
    stack: "spoke-dc-v6",
    rule: "tenant-namespace-naming",
    message: /namespace "team-tools" carries apps\.platform\/tenant=true/,
    fragment: () => void new k8s.core.v1.Namespace("team-tools", { metadata: { name: "team-tools", labels: TENANT } }),
  },

  // --- store routing
  {
    name: "tenant ExternalSecret reading one item through the platform store",
    stack: "spoke-dc-v6",
    rule: "store-routing",
    message: /ExternalSecret apps-payments-checkout-api-dev\/sneaky reads through ClusterSecretStore "vault-platform"/,
    fragment: () =>
      void es("sneaky", "apps-payments-checkout-api-dev", {
        secretStoreRef: { kind: "SecretStore", name: "vault-apps" },
        data: [
          { secretKey: "db", remoteRef: { key: "apps/payments/checkout-api/db", property: "password" } },
          { secretKey: "quay", remoteRef: { key: "ocp/spoke-dc-v6/registries/quay-pull", property: "dockerconfigjson" }, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "vault-platform" } } },
        ],
      }),
  },
  {
    name: "tenant ExternalSecret dataFrom through another store",
    stack: "spoke-dc-v6",
    rule: "store-routing",
    message: /ExternalSecret apps-platform-liberty-hello-dev\/everything reads through SecretStore "legacy"/,
    fragment: () =>
      void es("everything", "apps-platform-liberty-hello-dev", {
        secretStoreRef: { kind: "SecretStore", name: "vault-apps" },
        dataFrom: [{ extract: { key: "apps/platform/liberty-hello/config" }, sourceRef: { storeRef: { kind: "SecretStore", name: "legacy" } } }],
      }),
  },
  {
    name: "tenant PushSecret writing through the platform store",
    stack: "spoke-dc-v6",
    rule: "store-routing",
    message: /PushSecret apps-payments-checkout-api-dev\/push reads through ClusterSecretStore "vault-platform"/,
    fragment: () =>
      void cr("push", "external-secrets.io/v1alpha1", "PushSecret", { name: "push", namespace: "apps-payments-checkout-api-dev" }, {
        secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-platform" }],
        selector: { secret: { name: "registry" } },
        data: [{ match: { secretKey: "dockerconfigjson", remoteRef: { remoteKey: "ocp/spoke-dc-v6/registries/app-registry-pull" } } }],
      }),
  },
  {
    name: "pipelines ExternalSecret through a tenant store name",
    stack: "spoke-dc-v6",
    rule: "store-routing",
    message: /ExternalSecret openshift-pipelines\/build-cache reads through SecretStore "vault-apps"; in openshift-pipelines every reference must be SecretStore pipelines-vault-apps/,
    fragment: () =>
      void es("build-cache", "openshift-pipelines", { secretStoreRef: { kind: "SecretStore", name: "vault-apps" }, data: [{ secretKey: "token", remoteRef: { key: "apps/payments/checkout-api/ci/quay-robot", property: "token" } }] }),
  },

  // --- store logins
  {
    name: "hand-made tenant namespace whose store role does not bind it",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-refunds-dev\/vault-apps logs in as apps-payments-refunds-dev\/app-eso with role spoke-dc-v6-k8s\/apps-spoke-dc-v6-payments.*permission denied/,
    fragment: () => {
      tenantNamespace("apps-payments-refunds-dev", "payments", "refunds");
      new k8s.core.v1.ServiceAccount("refunds-app-eso", { metadata: { name: "app-eso", namespace: "apps-payments-refunds-dev" } });
      store("vault-apps", "apps-payments-refunds-dev", {});
    },
  },
  {
    name: "store minting its token for the API server audience",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-checkout-api-dev\/vault-apps-k8s mints its token for audiences \["https:\/\/kubernetes\.default\.svc"\] but role spoke-dc-v6-k8s\/apps-spoke-dc-v6-payments expects audience "vault"/,
    fragment: () =>
      void store("vault-apps-k8s", "apps-payments-checkout-api-dev", {
        auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "apps-spoke-dc-v6-payments", serviceAccountRef: { name: "app-eso", audiences: ["https://kubernetes.default.svc"] } } },
      }),
  },
  {
    name: "store with version v1 on the KV v2 mount",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-checkout-api-stg\/vault-apps-v1 uses KV version v1 on the KV v2 mount secret/,
    fragment: () =>
      void store("vault-apps-v1", "apps-payments-checkout-api-stg", { version: "v1" }),
  },
  {
    name: "store reading another mount",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-checkout-api-dev\/vault-kv reads mount "kv", not the KV mount secret/,
    fragment: () => void store("vault-kv", "apps-payments-checkout-api-dev", { path: "kv" }),
  },
  {
    name: "cluster store logging in as a ServiceAccount its role does not bind",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /ClusterSecretStore vault-platform-default logs in as default\/default with role spoke-dc-v6-k8s\/platform-spoke-dc-v6/,
    fragment: () => void css("vault-platform-default", [{ namespaceSelector: { matchLabels: TENANT } }], { name: "default", namespace: "default" }),
  },
  {
    name: "store logging in at an auth mount the stack does not define",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-checkout-api-dev\/vault-default-mount logs in at auth mount "kubernetes"/,
    fragment: () =>
      void store("vault-default-mount", "apps-payments-checkout-api-dev", {
        auth: { kubernetes: { mountPath: "kubernetes", role: "apps-spoke-dc-v6-payments", serviceAccountRef: { name: "app-eso", audiences: ["vault"] } } },
      }),
  },
  {
    name: "store logging in with a static token",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /SecretStore apps-payments-checkout-api-dev\/vault-token is not a Vault store with kubernetes auth/,
    fragment: () => void store("vault-token", "apps-payments-checkout-api-dev", { auth: { tokenSecretRef: { name: "vault-token", key: "token" } } }),
  },

  // --- CI robots
  {
    name: "CI secret for a team no tenant owns",
    stack: "spoke-dc-v6",
    rule: "ci-secret-owner",
    message: /openshift-pipelines\/quay-robot-team-ledger: no tenant namespace on this cluster carries apps\.platform\/team: ledger/,
    fragment: () =>
      void es("quay-robot-team-ledger", "openshift-pipelines", {
        secretStoreRef: { kind: "SecretStore", name: "pipelines-vault-apps" },
        data: [{ secretKey: "token", remoteRef: { key: "apps/payments/checkout-api/ci/quay-robot", property: "token" } }],
      }),
  },
  {
    name: "CI secret of a new team reading another tenant's robot",
    stack: "spoke-dc-v6",
    rule: "ci-secret-owner",
    message: /quay-robot-team-ledger reads apps\/payments\/checkout-api\/ci\/quay-robot, another tenant's robot: team ledger owns apps\/payments\/ledger\/ci\/quay-robot/,
    fragment: () => {
      tenantNamespace("apps-payments-ledger-dev", "payments", "ledger", { "apps.platform/team": "ledger" });
      es("quay-robot-team-ledger", "openshift-pipelines", {
        secretStoreRef: { kind: "SecretStore", name: "pipelines-vault-apps" },
        data: [
          { secretKey: "username", remoteRef: { key: "apps/payments/checkout-api/ci/quay-robot", property: "username" } },
          { secretKey: "token", remoteRef: { key: "apps/payments/checkout-api/ci/quay-robot", property: "token" } },
        ],
      });
    },
  },

  // --- one manager per object
  {
    name: "a second resource managing the payments role through a raw write",
    stack: "spoke-dc-v6",
    rule: "single-owner",
    message: /vault auth\/spoke-dc-v6-k8s\/role\/apps-spoke-dc-v6-payments is managed by 2 resources/,
    fragment: () =>
      void endpoint("payments-role-override", "auth/spoke-dc-v6-k8s/role/apps-spoke-dc-v6-payments", {
        bound_service_account_names: ["app-eso"],
        bound_service_account_namespaces: ["apps-payments-checkout-api-dev", "apps-payments-checkout-api-stg", "apps-payments-ledger-dev"],
        token_policies: ["apps-payments-read"],
        audience: "vault",
      }),
  },
  {
    name: "a second vault-platform ClusterSecretStore",
    stack: "spoke-dc-v6",
    rule: "single-owner",
    message: /kubernetes external-secrets\.io\/ClusterSecretStore vault-platform is managed by 2 resources/,
    fragment: () => void css("vault-platform", [{ namespaceSelector: { matchLabels: TENANT } }]),
  },
  {
    name: "a second typed role with the same name",
    stack: "spoke-dc-v6",
    rule: "single-owner",
    message: /vault auth\/spoke-dc-v6-k8s\/role\/pipelines-spoke-dc-v6 is managed by 2 resources/,
    fragment: () => void role("pipelines-copy", { roleName: "pipelines-spoke-dc-v6", boundServiceAccountNames: ["pipelines-vault-apps"], boundServiceAccountNamespaces: ["openshift-pipelines"], tokenPolicies: ["pipelines-spoke-dc-v6-quay-robot-read"] }),
  },
  {
    name: "a second policy resource with the platform policy's name",
    stack: "spoke-dc-v6",
    rule: "single-owner",
    message: /vault sys\/policies\/acl\/platform-spoke-dc-v6-read is managed by 2 resources/,
    fragment: () => void new vault.Policy("registries-copy", { name: "platform-spoke-dc-v6-read", policy: hcl(["secret/data/ocp/spoke-dc-v6/registries/*", ["read"]]) }),
  },
  {
    name: "the old policy API writing a policy the stack already manages",
    stack: "vault",
    rule: "single-owner",
    message: /vault sys\/policies\/acl\/apps-payments-read is managed by 2 resources/,
    fragment: () => void endpoint("payments-policy-old-api", "sys/policy/apps-payments-read", { policy: hcl(["secret/data/apps/payments/*", ["read"]]) }),
  },
  {
    name: "a second Namespace resource for a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "single-owner",
    message: /kubernetes Namespace apps-payments-checkout-api-dev is managed by 2 resources/,
    fragment: () => void tenantNamespace("apps-payments-checkout-api-dev", "payments", "checkout-api"),
  },

  // --- RBAC over tenant Secrets
  {
    name: "RoleBinding giving admin in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-payments-checkout-api-dev\/support-admin gives Group support ClusterRole admin, which reads Secrets/,
    fragment: () =>
      void new k8s.rbac.v1.RoleBinding("support-admin", {
        metadata: { name: "support-admin", namespace: "apps-payments-checkout-api-dev" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
        subjects: [{ kind: "Group", name: "support", apiGroup: "rbac.authorization.k8s.io" }],
      }),
  },
  {
    name: "ClusterRoleBinding to a custom secret reader",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRoleBinding secret-reader gives ServiceAccount monitoring\/exporter ClusterRole secret-reader, which reads Secrets in every namespace/,
    fragment: () => {
      new k8s.rbac.v1.ClusterRole("secret-reader", { metadata: { name: "secret-reader" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }] });
      new k8s.rbac.v1.ClusterRoleBinding("secret-reader", {
        metadata: { name: "secret-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secret-reader" },
        subjects: [{ kind: "ServiceAccount", name: "exporter", namespace: "monitoring" }],
      });
    },
  },
  {
    name: "Role minting tokens for app-eso",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-platform-liberty-hello-dev\/token-minter gives ServiceAccount ci\/deployer Role token-minter, which creates ServiceAccount tokens/,
    fragment: () => {
      new k8s.rbac.v1.Role("token-minter", {
        metadata: { name: "token-minter", namespace: "apps-platform-liberty-hello-dev" },
        rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }],
      });
      new k8s.rbac.v1.RoleBinding("token-minter", {
        metadata: { name: "token-minter", namespace: "apps-platform-liberty-hello-dev" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "token-minter" },
        subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "ci" }],
      });
    },
  },
  {
    name: "Role impersonating ServiceAccounts in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-payments-checkout-api-stg\/impersonator .*impersonates ServiceAccounts/,
    fragment: () => {
      new k8s.rbac.v1.Role("impersonator", {
        metadata: { name: "impersonator", namespace: "apps-payments-checkout-api-stg" },
        rules: [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }],
      });
      new k8s.rbac.v1.RoleBinding("impersonator", {
        metadata: { name: "impersonator", namespace: "apps-payments-checkout-api-stg" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "impersonator" },
        subjects: [{ kind: "User", name: "mallory" }],
      });
    },
  },

  // --- literal secrets
  {
    name: "SecretPatch writing a literal token",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /Secret apps-payments-checkout-api-dev\/app-registry-pull carries literal \.dockerconfigjson/,
    fragment: () =>
      void new k8s.core.v1.SecretPatch("pull-override", { metadata: { name: "app-registry-pull", namespace: "apps-payments-checkout-api-dev" }, stringData: { ".dockerconfigjson": "{}" } }),
  },
  {
    name: "Secret with literal data in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /Secret apps-platform-liberty-hello-dev\/db carries literal password/,
    fragment: () => void new k8s.core.v1.Secret("db", { metadata: { name: "db", namespace: "apps-platform-liberty-hello-dev" }, stringData: { password: "hunter2" } }),
  },

  // --- what the pack cannot judge
  {
    name: "a raw write enabling a secrets engine",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge vault:generic\/endpoint:Endpoint writing sys\/mounts\/transit/,
    fragment: () => void endpoint("transit", "sys/mounts/transit", { type: "transit" }),
  },
  {
    name: "a mutating admission webhook",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge kubernetes:admissionregistration\.k8s\.io\/v1:MutatingWebhookConfiguration/,
    fragment: () =>
      void new k8s.admissionregistration.v1.MutatingWebhookConfiguration("inject", {
        metadata: { name: "inject" },
        webhooks: [{ name: "inject.example.com", admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { url: "https://inject.example.com/mutate" }, rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }] }],
      }),
  },
  {
    name: "a RoleBinding to a ClusterRole nobody can see",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge RoleBinding apps-payments-checkout-api-dev\/vendor-operator: it binds ClusterRole vendor-operator-role/,
    fragment: () =>
      void new k8s.rbac.v1.RoleBinding("vendor-operator", {
        metadata: { name: "vendor-operator", namespace: "apps-payments-checkout-api-dev" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "vendor-operator-role" },
        subjects: [{ kind: "ServiceAccount", name: "operator", namespace: "vendor" }],
      }),
  },
  {
    name: "an OIDC key",
    stack: "vault",
    rule: "unjudged-type",
    message: /cannot judge vault:identity\/oidcKey:OidcKey/,
    fragment: () => void new vault.identity.OidcKey("signing", { name: "signing" }),
  },
  // The secret catalogue (issue 13): distributed secrets, generators and PushSecrets written by hand.
  {
    name: "a distributed secret through a tenant's store",
    stack: "spoke-dc-v6",
    rule: "cluster-external-secret-scope",
    message: /ClusterExternalSecret gh-copy must read through ClusterSecretStore vault-platform, not SecretStore "vault-apps"/,
    fragment: () =>
      void cr("gh-copy", "external-secrets.io/v1", "ClusterExternalSecret", { name: "gh-copy" }, {
        namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true", "secrets/gh-copy": "true" } }],
        externalSecretSpec: { secretStoreRef: { kind: "SecretStore", name: "vault-apps" }, target: { name: "gh-copy" }, data: [{ secretKey: "token", remoteRef: { key: "ocp/spoke-dc-v6/github/pat", property: "token" } }] },
      }),
  },
  {
    name: "a distributed secret reading one item through another store",
    stack: "spoke-dc-v6",
    rule: "cluster-external-secret-scope",
    message: /ClusterExternalSecret mixed reads an item through ClusterSecretStore "legacy-vault"/,
    fragment: () =>
      void cr("mixed", "external-secrets.io/v1", "ClusterExternalSecret", { name: "mixed" }, {
        namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
        externalSecretSpec: {
          secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
          target: { name: "mixed" },
          data: [{ secretKey: "token", remoteRef: { key: "ocp/spoke-dc-v6/github/pat", property: "token" }, sourceRef: { storeRef: { kind: "ClusterSecretStore", name: "legacy-vault" } } }],
        },
      }),
  },
  {
    name: "a distributed secret reading another cluster's platform key",
    stack: "spoke-dc-v6",
    rule: "cluster-external-secret-scope",
    message: /ClusterExternalSecret v7-pat reads "ocp\/spoke-dc-v7\/github\/pat", under cluster spoke-dc-v7; this stack's vault-platform belongs to spoke-dc-v6/,
    fragment: () =>
      void cr("v7-pat", "external-secrets.io/v1", "ClusterExternalSecret", { name: "v7-pat" }, {
        namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
        externalSecretSpec: { secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" }, target: { name: "v7-pat" }, data: [{ secretKey: "token", remoteRef: { key: "ocp/spoke-dc-v7/github/pat", property: "token" } }] },
      }),
  },
  {
    name: "a distributed secret extracting a whole subtree",
    stack: "spoke-dc-v6",
    rule: "cluster-external-secret-scope",
    message: /ClusterExternalSecret all-github uses dataFrom extract; list each key under data/,
    fragment: () =>
      void cr("all-github", "external-secrets.io/v1", "ClusterExternalSecret", { name: "all-github" }, {
        namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
        externalSecretSpec: { secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" }, target: { name: "all-github" }, dataFrom: [{ extract: { key: "ocp/spoke-dc-v6/github/pat" } }] },
      }),
  },
  {
    name: "a distributed secret from a ClusterGenerator that logs in to Vault",
    stack: "spoke-dc-v6",
    rule: "cluster-external-secret-scope",
    message: /reads ClusterGenerator "db-dynamic", of kind VaultDynamicSecret, which logs in somewhere itself/,
    fragment: () => {
      cr("db-dynamic", "generators.external-secrets.io/v1alpha1", "ClusterGenerator", { name: "db-dynamic" }, { kind: "VaultDynamicSecret", generator: { vaultDynamicSecretSpec: { path: "database/creds/admin" } } });
      cr("db-admin", "external-secrets.io/v1", "ClusterExternalSecret", { name: "db-admin" }, {
        namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
        externalSecretSpec: { target: { name: "db-admin" }, dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "ClusterGenerator", name: "db-dynamic" } } }] },
      });
    },
  },
  {
    name: "a distributed secret whose expressions match every namespace but tenant=false ones",
    stack: "spoke-dc-v6",
    rule: "namespace-selection",
    message: /ClusterExternalSecret almost-all selector 0 .* selects namespaces without apps.platform\/tenant: "true": it selects external-secrets/,
    fragment: () => void ces("almost-all", { namespaceSelectors: [{ matchExpressions: [{ key: "apps.platform/tenant", operator: "NotIn", values: ["false"] }] }] }),
  },
  {
    name: "a PushSecret writing through a store on the read replica",
    stack: "spoke-dc-v6",
    rule: "push-to-primary",
    message: /PushSecret external-secrets\/db-password writes through SecretStore external-secrets\/vault-local at https:\/\/vault-dc6.sub.comptech-lab.com:8200, a read replica/,
    fragment: () => {
      store("vault-local", "external-secrets", { server: "https://vault-dc6.sub.comptech-lab.com:8200" });
      cr("db-password", "external-secrets.io/v1alpha1", "PushSecret", { name: "db-password", namespace: "external-secrets" }, {
        secretStoreRefs: [{ kind: "SecretStore", name: "vault-local" }],
        selector: { secret: { name: "db-password" } },
        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/db-password" } } }],
      });
    },
  },
  {
    name: "a PushSecret choosing its stores by label",
    stack: "spoke-dc-v6",
    rule: "push-to-primary",
    message: /PushSecret external-secrets\/fanout-push selects its stores by label \{"matchLabels":\{"region":"any"\}\}/,
    fragment: () =>
      void cr("fanout-push", "external-secrets.io/v1alpha1", "PushSecret", { name: "fanout-push", namespace: "external-secrets" }, {
        secretStoreRefs: [{ kind: "SecretStore", labelSelector: { matchLabels: { region: "any" } } }],
        selector: { secret: { name: "db-password" } },
        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/db-password" } } }],
      }),
  },
  {
    name: "a PushSecret store whose role writes anywhere in the KV mount",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount external-secrets\/eso-vault-push \(PushSecret store\) reaches secret\/data\/… \(create, read, update\).*the catalogue allows it create\/read\/update under secret\/data\/ocp\/spoke-dc-v6\//,
    fragment: () => {
      policy("push-anything", hcl(["secret/data/*", ["create", "read", "update"]]));
      role("platform-spoke-dc-v6-push", { boundServiceAccountNames: ["eso-vault-push"], boundServiceAccountNamespaces: ["external-secrets"], tokenPolicies: ["push-anything"] });
      store("vault-platform-push", "external-secrets", { auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6-push", serviceAccountRef: { name: "eso-vault-push", audiences: ["vault"] } } } });
      cr("any-push", "external-secrets.io/v1alpha1", "PushSecret", { name: "any-push", namespace: "external-secrets" }, {
        secretStoreRefs: [{ kind: "SecretStore", name: "vault-platform-push" }],
        selector: { secret: { name: "db-password" } },
        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/db-password" } } }],
      });
    },
  },
  {
    name: "a generated password rotated every ten seconds",
    stack: "spoke-dc-v6",
    rule: "refresh-interval-bounds",
    message: /external-secrets\/churn refreshInterval 10s rotates a generated value more often than 1m/,
    fragment: () => {
      cr("churn-generator", "generators.external-secrets.io/v1alpha1", "Password", { name: "churn", namespace: "external-secrets" }, { length: 32, noUpper: false, allowRepeat: true });
      cr("churn", "external-secrets.io/v1alpha1", "PushSecret", { name: "churn", namespace: "external-secrets" }, {
        refreshInterval: "10s",
        secretStoreRefs: [{ kind: "SecretStore", name: "vault-platform-push" }],
        selector: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: "churn" } },
        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/churn" } } }],
      });
    },
  },
];
