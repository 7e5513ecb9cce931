// Issue 24's families: hand-written resources that widen who can read secrets in ways the
// pack used to miss, each with its rule and what the message must name; and, beside them,
// unusual but legitimate resources of the same kinds that must pass the whole pack.
import * as k8s from "@pulumi/kubernetes";
import * as vault from "@pulumi/vault";
import type { BadFragment, Fragment } from "./bad";

export type Family =
  | "policy identity"
  | "identity and auth methods"
  | "cross-cluster writes"
  | "kubernetes rbac"
  | "secrets outside vault"
  | "eso write paths"
  | "engines outside kv"
  | "platform namespaces"
  | "fail closed";

const hcl = (...rules: Array<[string, string[]]>) => rules.map(([p, caps]) => `path "${p}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(", ")}]\n}\n`).join("\n");
const endpoint = (name: string, path: string, data: Record<string, unknown>) => new vault.generic.Endpoint(name, { path, dataJson: JSON.stringify(data), disableRead: true });
const cr = (name: string, apiVersion: string, kind: string, metadata: Record<string, unknown>, rest: Record<string, unknown>) => new k8s.apiextensions.CustomResource(name, { apiVersion, kind, metadata, ...rest });
const RBAC = "rbac.authorization.k8s.io";
const TENANT_NS = "apps-payments-checkout-api-dev";
const ESO_NS = "external-secrets";
const role = (name: string, args: Partial<vault.kubernetes.AuthBackendRoleArgs>) =>
  new vault.kubernetes.AuthBackendRole(name, {
    backend: "spoke-dc-v6-k8s",
    roleName: name,
    boundServiceAccountNames: ["app-eso"],
    boundServiceAccountNamespaces: [TENANT_NS],
    audience: "vault",
    aliasNameSource: "serviceaccount_uid",
    tokenTtl: 1200,
    tokenMaxTtl: 3600,
    ...args,
  });
const deployment = (name: string, namespace: string, serviceAccountName: string | undefined, env: Array<{ name: string; value: string }> = []) =>
  new k8s.apps.v1.Deployment(name, {
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: "main", image: "registry.example/tool:1", env }] } },
    },
  });
const binding = (name: string, namespace: string | undefined, ref: { kind: string; name: string }, subjects: Array<{ kind: string; name: string; namespace?: string; apiGroup?: string }>) =>
  namespace
    ? new k8s.rbac.v1.RoleBinding(name, { metadata: { name, namespace }, roleRef: { apiGroup: RBAC, ...ref }, subjects })
    : new k8s.rbac.v1.ClusterRoleBinding(name, { metadata: { name }, roleRef: { apiGroup: RBAC, ...ref }, subjects });
const pushSecret = (name: string, selector: Record<string, unknown>, remoteKey: string) =>
  cr(name, "external-secrets.io/v1alpha1", "PushSecret", { name, namespace: ESO_NS }, {
    spec: {
      refreshInterval: "1h",
      secretStoreRefs: [{ kind: "SecretStore", name: "vault-platform-push" }],
      selector,
      data: [{ match: { secretKey: "value", remoteRef: { remoteKey } } }],
    },
  });

type FamilyBad = BadFragment & { family: Family };
type FamilyGood = Fragment & { family: Family };

export const FAMILY_BAD: FamilyBad[] = [
  // --- Vault policy identity: names as Vault stores them, default, the admin policy
  {
    family: "policy identity",
    name: "a raw write to a capitalised division policy name widens that division's policy",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"apps-payments-read" \(a write to sys\/policies\/acl\/Apps-Payments-Read\) is named as a division policy but reaches secret\/data\/apps\/…/,
    fragment: () => void endpoint("payments-upper", "sys/policies/acl/Apps-Payments-Read", { policy: hcl(["secret/data/apps/*", ["read"]]) }),
  },
  {
    family: "policy identity",
    name: "a vault.Policy named with capitals and spaces rewrites the admin policy with policy and auth writes",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"dc-kv-rw" \(vault\.Policy\) is named as an admin policy but reaches (sys\/policies\/acl|auth)\/… \((create, )?update\)/,
    fragment: () => void new vault.Policy("admin-upper", { name: " DC-KV-RW ", policy: hcl(["secret/data/apps/*", ["read"]], ["sys/policies/acl/*", ["update"]], ["auth/*", ["create", "update"]]) }),
  },
  {
    family: "policy identity",
    name: "a tenant role listing another division's policy in capitals",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount apps-payments-checkout-api-dev\/app-eso \(tenant, division payments\) reaches secret\/data\/apps\/platform\/…/,
    fragment: () => void role("apps-spoke-dc-v6-payments-upper", { tokenPolicies: ["APPS-PLATFORM-READ"] }),
  },
  {
    family: "policy identity",
    name: "the default policy rewritten to read every secret",
    stack: "spoke-dc-v6",
    rule: "vault-policy-shape",
    message: /"default" \(vault\.Policy\) is Vault's default policy, which every token carries, reaches secret\/data\/… \(read\)/,
    fragment: () => void new vault.Policy("default-wide", { name: "default", policy: hcl(["auth/token/lookup-self", ["read"]], ["secret/data/*", ["read"]]) }),
  },
  {
    family: "policy identity",
    name: "the default policy rewritten through the old policy API to manage auth methods",
    stack: "vault",
    rule: "vault-policy-shape",
    message: /"default" \(a write to sys\/policy\/Default\) is Vault's default policy.* reaches (sys\/auth|auth)\//,
    fragment: () => void endpoint("default-auth", "sys/policy/Default", { rules: hcl(["cubbyhole/*", ["read"]], ["sys/auth/*", ["create", "update", "sudo"]], ["auth/+/role/*", ["update"]]) }),
  },
  {
    family: "policy identity",
    name: "a cluster stack rewriting the foundation's admin policy",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes Vault policy dc-kv-rw, which the foundation stack organization\/platform-secrets\/vault owns/,
    fragment: () => void endpoint("admin-from-cluster", "sys/policies/acl/dc-kv-rw", { policy: hcl(["secret/data/apps/*", ["read"]]) }),
  },

  // --- identity groups and other auth methods
  {
    family: "identity and auth methods",
    name: "an admin group aliased to an identity-provider group everyone is in",
    stack: "vault",
    rule: "vault-effective-access",
    message: /members of identity-provider group "all-staff" \(aliased onto vault-admins-ops\) reaches secret\/data\/apps\/… \(create/,
    fragment: () => {
      const g = new vault.identity.Group("ops-admins", { name: "vault-admins-ops", type: "external", policies: ["dc-kv-rw"] });
      new vault.identity.GroupAlias("ops-admins-everyone", { name: "all-staff", mountAccessor: "auth_oidc_1234", canonicalId: g.id });
    },
  },
  {
    family: "identity and auth methods",
    name: "an internal admin group with entities added inline",
    stack: "vault",
    rule: "vault-effective-access",
    message: /entities 5f0c-aa, 9d1e-bb \(made members of vault-admins-night\) reaches secret\/data\/apps\//,
    fragment: () => void new vault.identity.Group("night-admins", { name: "vault-admins-night", type: "internal", policies: ["dc-kv-rw"], memberEntityIds: ["5f0c-aa", "9d1e-bb"] }),
  },
  {
    family: "identity and auth methods",
    name: "entities joined to an admin group through GroupMemberEntityIds",
    stack: "vault",
    rule: "vault-effective-access",
    message: /entities contractor-7 \(made members of vault-admins-audit\) reaches secret\/data\/apps\//,
    fragment: () => {
      const g = new vault.identity.Group("audit-admins", { name: "vault-admins-audit", type: "internal", policies: ["dc-kv-rw"] });
      new vault.identity.GroupMemberEntityIds("audit-members", { groupId: g.id, memberEntityIds: ["contractor-7"], exclusive: false });
    },
  },
  {
    family: "identity and auth methods",
    name: "a whole group made a subgroup of an admin group",
    stack: "vault",
    rule: "vault-effective-access",
    message: /members of group interns \(made a member of vault-admins-edge\) reaches secret\/data\/apps\//,
    fragment: () => {
      const admins = new vault.identity.Group("edge-admins", { name: "vault-admins-edge", type: "internal", policies: ["dc-kv-rw"] });
      const interns = new vault.identity.Group("interns", { name: "interns", type: "internal" });
      new vault.identity.GroupMemberGroupIds("edge-subgroups", { groupId: admins.id, memberGroupIds: [interns.id], exclusive: false });
    },
  },
  {
    family: "identity and auth methods",
    name: "entities added by literal id to a group this stack cannot see",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge .*sneak-in: it adds entities to a group the pack cannot identify/,
    fragment: () => void new vault.identity.GroupMemberEntityIds("sneak-in", { groupId: "0b7e4c1a-admin-group", memberEntityIds: ["mallory"], exclusive: false }),
  },
  {
    family: "identity and auth methods",
    name: "a group alias written raw by canonical id",
    stack: "vault",
    rule: "unjudged-type",
    message: /cannot judge .*alias-by-id: it writes a group alias by id/,
    fragment: () => void endpoint("alias-by-id", "identity/group-alias", { name: "everyone", mount_accessor: "auth_oidc_1234", canonical_id: "0b7e4c1a" }),
  },
  {
    family: "identity and auth methods",
    name: "a token role allowing every division policy by glob",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /tokenauth\.AuthBackendRole deployer reaches secret\/data\/apps\/(payments|platform)\//,
    fragment: () => void new vault.tokenauth.AuthBackendRole("deployer", { roleName: "deployer", allowedPoliciesGlobs: ["apps-*-read"], orphan: true }),
  },
  {
    family: "identity and auth methods",
    name: "a raw token role whose glob matches the admin policy",
    stack: "vault",
    rule: "vault-effective-access",
    message: /tokens of token role breakglass .*reaches secret\/data\/apps\/… \(create/,
    fragment: () => void endpoint("breakglass", "auth/token/roles/breakglass", { allowed_policies_glob: ["*-kv-rw"], orphan: true }),
  },
  {
    family: "identity and auth methods",
    name: "a token role glob, refused even where nothing matches yet",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /allows policies by glob "team-\*"/,
    fragment: () => void new vault.tokenauth.AuthBackendRole("team-tokens", { roleName: "team-tokens", allowedPoliciesGlobs: ["team-*"] }),
  },
  {
    family: "identity and auth methods",
    name: "an Okta backend whose inline group holds the admin policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /okta\.AuthBackend okta\/.* reaches secret\/data\/apps\//,
    fragment: () => void new vault.okta.AuthBackend("okta", { path: "okta", organization: "example", groups: [{ groupName: "engineering", policies: ["dc-kv-rw"] }] }),
  },
  {
    family: "identity and auth methods",
    name: "a GitHub team mapped raw to a division policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /auth\/github\/map\/teams\/frontend \(raw write\) reaches secret\/data\/apps\/platform\//,
    fragment: () => void endpoint("gh-frontend", "auth/github/map/teams/frontend", { value: "default,apps-platform-read" }),
  },
  {
    family: "identity and auth methods",
    name: "a TLS certificate login granting the platform's read",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /auth\/cert\/certs\/edge-proxy \(raw write\) reaches secret\/data\/ocp\/spoke-dc-v6\//,
    fragment: () => void endpoint("cert-edge", "auth/cert/certs/edge-proxy", { certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", token_policies: ["platform-spoke-dc-v6-read"] }),
  },
  {
    family: "identity and auth methods",
    name: "a token minted by a raw write with the pipelines policy",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /the token auth\/token\/create-orphan mints \(raw write\) reaches secret\/data\/apps\/.*\/ci\/quay-robot/,
    fragment: () => void endpoint("robot-token", "auth/token/create-orphan", { policies: ["pipelines-spoke-dc-v6-quay-robot-read"], ttl: "720h" }),
  },

  // --- cross-cluster writes (issue 23, item 4's pack side)
  {
    family: "cross-cluster writes",
    name: "re-pointing another cluster's kubernetes auth config",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes the config of auth mount spoke-dc-v7-k8s, which belongs to cluster spoke-dc-v7; this stack manages cluster spoke-dc-v6/,
    fragment: () => void new vault.kubernetes.AuthBackendConfig("v7-config", { backend: "spoke-dc-v7-k8s", kubernetesHost: "https://api.attacker.example:6443" }),
  },
  {
    family: "cross-cluster writes",
    name: "a role added raw on another cluster's mount",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes role apps-spoke-dc-v7-payments on auth mount spoke-dc-v7-k8s, which belongs to cluster spoke-dc-v7/,
    fragment: () =>
      void endpoint("v7-role", "auth/spoke-dc-v7-k8s/role/apps-spoke-dc-v7-payments", { bound_service_account_names: ["app-eso"], bound_service_account_namespaces: ["apps-payments-checkout-api-prd"], token_policies: ["apps-payments-read"], audience: "vault" }),
  },
  {
    family: "cross-cluster writes",
    name: "a typed role on another cluster's mount",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes role apps-spoke-dc-v7-retail on auth mount spoke-dc-v7-k8s, which belongs to cluster spoke-dc-v7/,
    fragment: () => void role("apps-spoke-dc-v7-retail", { backend: "spoke-dc-v7-k8s", tokenPolicies: ["apps-payments-read"] }),
  },
  {
    family: "cross-cluster writes",
    name: "overwriting another cluster's fanned registry secret through kv.SecretV2",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes KV key ocp\/spoke-dc-v7\/registries\/app-registry-pull, which belongs to cluster spoke-dc-v7/,
    fragment: () => void new vault.kv.SecretV2("v7-pull", { mount: "secret", name: "ocp/spoke-dc-v7/registries/app-registry-pull", dataJson: JSON.stringify({ dockerconfigjson: "{}" }) }),
  },
  {
    family: "cross-cluster writes",
    name: "overwriting another cluster's GitHub PAT by a raw write",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes KV key ocp\/spoke-dc-v7\/github\/pat, which belongs to cluster spoke-dc-v7/,
    fragment: () => void new vault.generic.Secret("v7-pat", { path: "secret/data/ocp/spoke-dc-v7/github/pat", dataJson: JSON.stringify({ data: { username: "x", token: "y" } }) }),
  },
  {
    family: "cross-cluster writes",
    name: "a PushSecret writing under another cluster's keys",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes KV key \(pushed\) ocp\/spoke-dc-v7\/generated\/checkout-db-password, which belongs to cluster spoke-dc-v7/,
    fragment: () => {
      cr("v7-overwrite-gen", "generators.external-secrets.io/v1alpha1", "Password", { name: "v7-overwrite", namespace: ESO_NS }, { spec: { length: 32 } });
      pushSecret("v7-overwrite", { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: "v7-overwrite" } }, "ocp/spoke-dc-v7/generated/checkout-db-password");
    },
  },
  {
    family: "cross-cluster writes",
    name: "another cluster's platform policy written from this cluster's stack",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes Vault policy platform-spoke-dc-v7-read, which belongs to cluster spoke-dc-v7/,
    fragment: () => void new vault.Policy("v7-platform", { name: "platform-spoke-dc-v7-read", policy: hcl(["secret/data/ocp/spoke-dc-v7/*", ["read"]]) }),
  },
  {
    family: "cross-cluster writes",
    name: "the foundation stack writing a cluster's platform key",
    stack: "vault",
    rule: "cluster-ownership",
    message: /writes KV key ocp\/spoke-dc-v6\/nexus\/platform-bot, which belongs to cluster spoke-dc-v6; this stack manages no cluster/,
    fragment: () => void new vault.kv.SecretV2("dc6-nexus", { mount: "secret", name: "ocp/spoke-dc-v6/nexus/platform-bot", dataJson: JSON.stringify({ username: "bot", password: "from-ci" }) }),
  },
  {
    family: "cross-cluster writes",
    name: "a cluster stack writing a division policy the foundation owns",
    stack: "spoke-dc-v6",
    rule: "cluster-ownership",
    message: /writes Vault policy apps-payments-read, which the foundation stack organization\/platform-secrets\/vault owns/,
    fragment: () => void new vault.Policy("payments-override", { name: "apps-payments-read", policy: hcl(["secret/data/apps/payments/*", ["read"]]) }),
  },

  // --- Kubernetes RBAC
  {
    family: "kubernetes rbac",
    name: "a ClusterRole aggregating Secret reads into view",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRole view-secrets aggregates into view and reads Secrets/,
    fragment: () =>
      void new k8s.rbac.v1.ClusterRole("view-secrets", {
        metadata: { name: "view-secrets", labels: { [`${RBAC}/aggregate-to-view`]: "true" } },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }],
      }),
  },
  {
    family: "kubernetes rbac",
    name: "a ClusterRole folding pod exec into OpenShift's edit",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRole debug-exec aggregates into edit and executes in pods/,
    fragment: () =>
      void new k8s.rbac.v1.ClusterRole("debug-exec", {
        metadata: { name: "debug-exec", labels: { "authorization.openshift.io/aggregate-to-edit": "true" } },
        rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }],
      }),
  },
  {
    family: "kubernetes rbac",
    name: "an aggregated ClusterRole collecting edit's rules, bound cluster-wide",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRoleBinding support-all gives Group support ClusterRole support-aggregate, which reads Secrets and creates ServiceAccount tokens \(it aggregates system:aggregate-to-edit\)/,
    fragment: () => {
      new k8s.rbac.v1.ClusterRole("support-aggregate", { metadata: { name: "support-aggregate" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${RBAC}/aggregate-to-edit`]: "true" } }] }, rules: [] });
      binding("support-all", undefined, { kind: "ClusterRole", name: "support-aggregate" }, [{ kind: "Group", name: "support", apiGroup: RBAC }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "an aggregated ClusterRole selecting a label anyone can set, bound in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge RoleBinding apps-payments-checkout-api-dev\/plugins: it binds ClusterRole plugin-roles, whose rules neither this stack nor the pack knows/,
    fragment: () => {
      new k8s.rbac.v1.ClusterRole("plugin-roles", { metadata: { name: "plugin-roles" }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/plugin": "true" } }] }, rules: [] });
      binding("plugins", TENANT_NS, { kind: "ClusterRole", name: "plugin-roles" }, [{ kind: "ServiceAccount", name: "ci", namespace: "ci" }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "token creation in ESO's namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding external-secrets\/eso-token-mint gives ServiceAccount ci\/builder Role eso-token-mint, which creates ServiceAccount tokens in namespace external-secrets, where ServiceAccount external-secrets logs in to Vault/,
    fragment: () => {
      new k8s.rbac.v1.Role("eso-token-mint", { metadata: { name: "eso-token-mint", namespace: ESO_NS }, rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: ["external-secrets"] }] });
      binding("eso-token-mint", ESO_NS, { kind: "Role", name: "eso-token-mint" }, [{ kind: "ServiceAccount", name: "builder", namespace: "ci" }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "Secret reads given to every ServiceAccount of the cluster in an unrelated namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding monitoring\/scrape-secrets gives system:serviceaccounts \(everyone in it\) Role scrape-secrets, which reads Secrets in namespace monitoring/,
    fragment: () => {
      new k8s.rbac.v1.Role("scrape-secrets", { metadata: { name: "scrape-secrets", namespace: "monitoring" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }] });
      binding("scrape-secrets", "monitoring", { kind: "Role", name: "scrape-secrets" }, [{ kind: "Group", name: "system:serviceaccounts", apiGroup: RBAC }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "a ClusterRolePatch adding Secret reads to the built-in view",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRolePatch view changes the built-in ClusterRole view so that it reads Secrets/,
    fragment: () => void new k8s.rbac.v1.ClusterRolePatch("view-patch", { metadata: { name: "view" }, rules: [{ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["get", "list", "watch"] }] }),
  },
  {
    family: "kubernetes rbac",
    name: "binding the built-in system:aggregate-to-edit in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-platform-liberty-hello-dev\/helpers gives User dana ClusterRole system:aggregate-to-edit, which reads Secrets/,
    fragment: () => void binding("helpers", "apps-platform-liberty-hello-dev", { kind: "ClusterRole", name: "system:aggregate-to-edit" }, [{ kind: "User", name: "dana", apiGroup: RBAC }]),
  },
  {
    family: "kubernetes rbac",
    name: "pod creation in a tenant namespace (to run as app-eso)",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-payments-checkout-api-stg\/runner gives ServiceAccount ci\/runner Role runner, which creates pods/,
    fragment: () => {
      new k8s.rbac.v1.Role("runner", { metadata: { name: "runner", namespace: "apps-payments-checkout-api-stg" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"] }] });
      binding("runner", "apps-payments-checkout-api-stg", { kind: "Role", name: "runner" }, [{ kind: "ServiceAccount", name: "runner", namespace: "ci" }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "exec into ESO's pods",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRoleBinding debuggers gives Group sre ClusterRole pod-debugger, which executes in pods/,
    fragment: () => {
      new k8s.rbac.v1.ClusterRole("pod-debugger", { metadata: { name: "pod-debugger" }, rules: [{ apiGroups: [""], resources: ["pods/*"], verbs: ["get", "create"] }] });
      binding("debuggers", undefined, { kind: "ClusterRole", name: "pod-debugger" }, [{ kind: "Group", name: "sre", apiGroup: RBAC }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "a ClusterRoleBindingPatch adding a subject to cluster-admin",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /ClusterRoleBindingPatch cluster-admin gives User eve ClusterRole cluster-admin, which reads Secrets/,
    fragment: () => void new k8s.rbac.v1.ClusterRoleBindingPatch("cluster-admin-patch", { metadata: { name: "cluster-admin" }, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "User", name: "eve", apiGroup: RBAC }] }),
  },
  {
    family: "kubernetes rbac",
    name: "a RoleBindingPatch in a tenant namespace that does not say which role",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge RoleBindingPatch apps-payments-checkout-api-dev\/edit: it patches a binding without saying which role it binds/,
    fragment: () => void new k8s.rbac.v1.RoleBindingPatch("edit-patch", { metadata: { name: "edit", namespace: TENANT_NS }, subjects: [{ kind: "User", name: "eve", apiGroup: RBAC }] }),
  },
  {
    family: "kubernetes rbac",
    name: "Deployment creation in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-platform-liberty-hello-stg\/deployer gives .* Role deployer, which creates workloads/,
    fragment: () => {
      new k8s.rbac.v1.Role("deployer", { metadata: { name: "deployer", namespace: "apps-platform-liberty-hello-stg" }, rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "patch"] }] });
      binding("deployer", "apps-platform-liberty-hello-stg", { kind: "Role", name: "deployer" }, [{ kind: "ServiceAccount", name: "argocd", namespace: "argocd" }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "a Role allowed to escalate in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "tenant-rbac",
    message: /RoleBinding apps-payments-checkout-api-dev\/escalator .*escalates or binds roles/,
    fragment: () => {
      new k8s.rbac.v1.Role("escalator", { metadata: { name: "escalator", namespace: TENANT_NS }, rules: [{ apiGroups: [RBAC], resources: ["roles"], verbs: ["escalate", "create"] }] });
      binding("escalator", TENANT_NS, { kind: "Role", name: "escalator" }, [{ kind: "User", name: "lee", apiGroup: RBAC }]);
    },
  },

  // --- secrets outside Vault
  {
    family: "secrets outside vault",
    name: "a database password in a ConfigMap",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ConfigMap apps-payments-checkout-api-dev\/db-settings data key "db-password" holds a literal db-password/,
    fragment: () => void new k8s.core.v1.ConfigMap("db-settings", { metadata: { name: "db-settings", namespace: TENANT_NS }, data: { "db-host": "db.internal", "db-password": "S3cure!2024" } }),
  },
  {
    family: "secrets outside vault",
    name: "a registry auth in a ConfigMap",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ConfigMap apps-platform-liberty-hello-dev\/registry data key "config\.json" holds a registry auth/,
    fragment: () =>
      void new k8s.core.v1.ConfigMap("registry", { metadata: { name: "registry", namespace: "apps-platform-liberty-hello-dev" }, data: { "config.json": JSON.stringify({ auths: { "quay.example": { auth: Buffer.from("robot:tok3n").toString("base64") } } }) } }),
  },
  {
    family: "secrets outside vault",
    name: "a TLS private key in a ConfigMap",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ConfigMap external-secrets\/ingress-tls data key "tls\.pem" holds a PEM private key/,
    fragment: () => void new k8s.core.v1.ConfigMap("ingress-tls", { metadata: { name: "ingress-tls", namespace: ESO_NS }, data: { "tls.pem": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n" } }),
  },
  {
    family: "secrets outside vault",
    name: "an access key written into an ExternalSecret template",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ExternalSecret apps-payments-checkout-api-dev\/s3 spec\.target\.template\.data key "credentials" holds an AWS access key/,
    fragment: () =>
      void cr(`${TENANT_NS}-s3`, "external-secrets.io/v1", "ExternalSecret", { name: "s3", namespace: TENANT_NS }, {
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "SecretStore", name: "vault-apps" },
          target: { name: "s3", template: { data: { bucket: "{{ .bucket }}", credentials: "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n" } } },
          data: [{ secretKey: "bucket", remoteRef: { key: "apps/payments/checkout-api/s3", property: "bucket" } }],
        },
      }),
  },
  {
    family: "secrets outside vault",
    name: "a literal password in a distributed secret's template",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ClusterExternalSecret smtp-relay spec\.externalSecretSpec\.target\.template\.data key "password" holds a literal password/,
    fragment: () =>
      void cr("smtp-relay", "external-secrets.io/v1", "ClusterExternalSecret", { name: "smtp-relay" }, {
        spec: {
          namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true", "secrets/smtp-relay": "true" } }],
          refreshTime: "1h",
          externalSecretSpec: {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
            target: { name: "smtp-relay", template: { data: { host: "{{ .host }}", password: "relay-pass-42" } } },
            data: [{ secretKey: "host", remoteRef: { key: "ocp/spoke-dc-v6/smtp/relay", property: "host" } }],
          },
        },
      }),
  },
  {
    family: "secrets outside vault",
    name: "a GitHub token in a Deployment's env",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /Deployment apps-platform-liberty-hello-dev\/release-bot container main env key "GITHUB_TOKEN" holds a GitHub token/,
    fragment: () => void deployment("release-bot", "apps-platform-liberty-hello-dev", undefined, [{ name: "GITHUB_TOKEN", value: `ghp_${"a1B2c3D4e5".repeat(4)}` }]),
  },
  {
    family: "secrets outside vault",
    name: "a connection string with its password in a ConfigMap",
    stack: "spoke-dc-v6",
    rule: "no-literal-secrets",
    message: /ConfigMap apps-payments-checkout-api-stg\/orders data key "DATABASE_URL" holds a URL with a password/,
    fragment: () => void new k8s.core.v1.ConfigMap("orders", { metadata: { name: "orders", namespace: "apps-payments-checkout-api-stg" }, data: { DATABASE_URL: "postgres://orders:Wint3r!@db.internal:5432/orders" } }),
  },
  {
    family: "secrets outside vault",
    name: "a long-lived token Secret for a tenant's app-eso",
    stack: "spoke-dc-v6",
    rule: "service-account-use",
    message: /Secret apps-payments-checkout-api-dev\/app-eso-token is a long-lived, never-expiring token of ServiceAccount apps-payments-checkout-api-dev\/app-eso, which logs in to Vault/,
    fragment: () =>
      void new k8s.core.v1.Secret("app-eso-token", { metadata: { name: "app-eso-token", namespace: TENANT_NS, annotations: { "kubernetes.io/service-account.name": "app-eso" } }, type: "kubernetes.io/service-account-token" }),
  },
  {
    family: "secrets outside vault",
    name: "a long-lived token Secret for ESO's own ServiceAccount",
    stack: "spoke-dc-v6",
    rule: "service-account-use",
    message: /Secret external-secrets\/eso-forever is a long-lived, never-expiring token of ServiceAccount external-secrets\/external-secrets/,
    fragment: () =>
      void new k8s.core.v1.Secret("eso-forever", { metadata: { name: "eso-forever", namespace: ESO_NS, annotations: { "kubernetes.io/service-account.name": "external-secrets" } }, type: "kubernetes.io/service-account-token" }),
  },

  // --- ESO write paths
  {
    family: "eso write paths",
    name: "a PushSecret copying the reviewer token into a key every tenant receives",
    stack: "spoke-dc-v6",
    rule: "pushed-secret-source",
    message: /PushSecret external-secrets\/leak-reviewer writes ocp\/spoke-dc-v6\/registries\/app-registry-pull from Secret "eso-vault-auth-token", and ClusterExternalSecret app-registry-pull fans that key/,
    fragment: () => void pushSecret("leak-reviewer", { secret: { name: "eso-vault-auth-token" } }, "ocp/spoke-dc-v6/registries/app-registry-pull"),
  },
  {
    family: "eso write paths",
    name: "a ClusterPushSecret collecting tenants' Secrets into a fanned key",
    stack: "spoke-dc-v6",
    rule: "pushed-secret-source",
    message: /ClusterPushSecret collect-pats writes ocp\/spoke-dc-v6\/github\/pat from Secret "github" of every namespace it selects/,
    fragment: () =>
      void cr("collect-pats", "external-secrets.io/v1alpha1", "ClusterPushSecret", { name: "collect-pats" }, {
        spec: {
          namespaceSelectors: [{ matchLabels: { "apps.platform/tenant": "true" } }],
          pushSecretName: "collect-pats",
          pushSecretSpec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-platform" }], selector: { secret: { name: "github" } }, data: [{ match: { secretKey: "token", remoteRef: { remoteKey: "ocp/spoke-dc-v6/github/pat" } } }] },
        },
      }),
  },
  {
    family: "eso write paths",
    name: "an ExternalSecret merging its own value into the fanned pull secret",
    stack: "spoke-dc-v6",
    rule: "unique-target-secrets",
    message: /ExternalSecret apps-payments-checkout-api-dev\/pull-merge merges \(creationPolicy Merge\) into Secret apps-payments-checkout-api-dev\/app-registry-pull, which ClusterExternalSecret app-registry-pull produces/,
    fragment: () =>
      void cr(`${TENANT_NS}-pull-merge`, "external-secrets.io/v1", "ExternalSecret", { name: "pull-merge", namespace: TENANT_NS }, {
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "SecretStore", name: "vault-apps" },
          target: { name: "app-registry-pull", creationPolicy: "Merge" },
          data: [{ secretKey: ".dockerconfigjson", remoteRef: { key: "apps/payments/checkout-api/registry", property: "dockerconfigjson" } }],
        },
      }),
  },
  {
    family: "eso write paths",
    name: "an ExternalSecret merging into the reviewer's token Secret",
    stack: "spoke-dc-v6",
    rule: "unique-target-secrets",
    message: /ExternalSecret external-secrets\/reviewer-merge merges \(creationPolicy Merge\) into Secret external-secrets\/eso-vault-auth-token/,
    fragment: () =>
      void cr("reviewer-merge", "external-secrets.io/v1", "ExternalSecret", { name: "reviewer-merge", namespace: ESO_NS }, {
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "ClusterSecretStore", name: "vault-platform" },
          target: { name: "eso-vault-auth-token", creationPolicy: "Merge" },
          data: [{ secretKey: "token", remoteRef: { key: "ocp/spoke-dc-v6/reviewer", property: "token" } }],
        },
      }),
  },
  {
    family: "eso write paths",
    name: "a VaultDynamicSecret logging in as ESO's platform account",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /VaultDynamicSecret external-secrets\/platform-token logs in as external-secrets\/external-secrets, the platform principal/,
    fragment: () =>
      void cr("platform-token", "generators.external-secrets.io/v1alpha1", "VaultDynamicSecret", { name: "platform-token", namespace: ESO_NS }, {
        spec: {
          method: "POST",
          path: "auth/token/create",
          provider: { server: "https://vault.sub.comptech-lab.com:8200", auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6", serviceAccountRef: { name: "external-secrets", audiences: ["vault"] } } } },
        },
      }),
  },
  {
    family: "eso write paths",
    name: "a VaultDynamicSecret as a ClusterGenerator",
    stack: "spoke-dc-v6",
    rule: "store-login-binding",
    message: /ClusterGenerator db-creds is a ClusterGenerator of kind VaultDynamicSecret: every namespace that references it gets what its Vault login reads/,
    fragment: () =>
      void cr("db-creds", "generators.external-secrets.io/v1alpha1", "ClusterGenerator", { name: "db-creds" }, {
        spec: { kind: "VaultDynamicSecret", generator: { vaultDynamicSecretSpec: { path: "database/creds/orders", provider: { server: "https://vault.sub.comptech-lab.com:8200", auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6", serviceAccountRef: { name: "external-secrets", namespace: ESO_NS, audiences: ["vault"] } } } } } } },
      }),
  },
  {
    family: "eso write paths",
    name: "a tenant ExternalSecret reading a ClusterGenerator that logs in itself",
    stack: "spoke-dc-v6",
    rule: "store-routing",
    message: /ExternalSecret apps-payments-checkout-api-dev\/orders-db reads ClusterGenerator "orders-db", which this stack does not define/,
    fragment: () =>
      void cr(`${TENANT_NS}-orders-db`, "external-secrets.io/v1", "ExternalSecret", { name: "orders-db", namespace: TENANT_NS }, {
        spec: { refreshInterval: "1h", target: { name: "orders-db" }, dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "ClusterGenerator", name: "orders-db" } } }] },
      }),
  },
  {
    family: "eso write paths",
    name: "a Deployment in ESO's namespace running as ESO's ServiceAccount",
    stack: "spoke-dc-v6",
    rule: "service-account-use",
    message: /Deployment external-secrets\/sidecar-sync runs as ServiceAccount external-secrets\/external-secrets, which logs in to Vault through kubernetes auth role spoke-dc-v6-k8s\/platform-spoke-dc-v6/,
    fragment: () => void deployment("sidecar-sync", ESO_NS, "external-secrets"),
  },
  {
    family: "eso write paths",
    name: "a CronJob in a tenant namespace running as app-eso",
    stack: "spoke-dc-v6",
    rule: "service-account-use",
    message: /CronJob apps-payments-checkout-api-dev\/nightly-dump runs as ServiceAccount apps-payments-checkout-api-dev\/app-eso/,
    fragment: () =>
      void new k8s.batch.v1.CronJob("nightly-dump", {
        metadata: { name: "nightly-dump", namespace: TENANT_NS },
        spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: { serviceAccountName: "app-eso", restartPolicy: "Never", containers: [{ name: "dump", image: "registry.example/dump:1" }] } } } } },
      }),
  },
  {
    family: "eso write paths",
    name: "a Pod written as a generic resource in ESO's namespace",
    stack: "spoke-dc-v6",
    rule: "service-account-use",
    message: /Pod external-secrets\/shell runs in ESO's namespace \(external-secrets logs in to Vault there\), where any pod can mount the platform's token Secrets/,
    fragment: () => void cr("shell", "v1", "Pod", { name: "shell", namespace: ESO_NS }, { spec: { containers: [{ name: "sh", image: "registry.example/busybox:1" }] } }),
  },
  {
    family: "eso write paths",
    name: "a Namespace created through a generic resource carrying the tenant label",
    stack: "spoke-dc-v6",
    rule: "tenant-namespace-naming",
    message: /namespace "build-cache" carries apps\.platform\/tenant=true but is not named apps-<division>-<app>-<env>/,
    fragment: () => void cr("build-cache", "v1", "Namespace", { name: "build-cache", labels: { "apps.platform/tenant": "true", "apps.platform/division": "payments" } }, {}),
  },
  {
    family: "eso write paths",
    name: "a generic Namespace posing as a tenant without its store and ServiceAccount",
    stack: "spoke-dc-v6",
    rule: "tenant-namespace-complete",
    message: /tenant namespace apps-payments-ghost-dev has no ServiceAccount app-eso/,
    fragment: () =>
      void cr("ghost", "v1", "Namespace", { name: "apps-payments-ghost-dev", labels: { "apps.platform/tenant": "true", "apps.platform/division": "payments", "apps.platform/app": "ghost", "apps.platform/env": "dev" } }, {}),
  },

  // --- engines outside KV
  {
    family: "engines outside kv",
    name: "an AppRole reading database credentials",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /appRole\.AuthBackendRole approle\/reporting reaches database\/creds\/… \(read\)/,
    fragment: () => {
      new vault.Policy("db-reader", { name: "db-reader", policy: hcl(["database/creds/*", ["read"]]) });
      new vault.approle.AuthBackendRole("reporting", { backend: "approle", roleName: "reporting", tokenPolicies: ["db-reader"] });
    },
  },
  {
    family: "engines outside kv",
    name: "a JWT role minting cloud credentials",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /jwt\.AuthBackendRole jwt\/deploy reaches aws\/creds\/deploy \(read\)/,
    fragment: () => {
      new vault.Policy("aws-deploy", { name: "aws-deploy", policy: hcl(["aws/creds/deploy", ["read"]]) });
      new vault.jwt.AuthBackendRole("deploy", { backend: "jwt", roleName: "deploy", roleType: "jwt", userClaim: "sub", boundAudiences: ["ci"], tokenPolicies: ["aws-deploy"] });
    },
  },
  {
    family: "engines outside kv",
    name: "an entity that can decrypt with every transit key",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /identity\.Entity batch reaches transit\/decrypt\/… \(update\)/,
    fragment: () => {
      new vault.Policy("transit-all", { name: "transit-all", policy: hcl(["transit/decrypt/*", ["update"]]) });
      new vault.identity.Entity("batch", { name: "batch", policies: ["transit-all"] });
    },
  },
  {
    family: "engines outside kv",
    name: "a ServiceAccount outside the catalogue issuing certificates",
    stack: "spoke-dc-v6",
    rule: "vault-effective-access",
    message: /ServiceAccount cert-manager\/issuer \(not a principal the catalogue knows\) reaches pki\/issue\/… \(update\)/,
    fragment: () => {
      new vault.Policy("pki-issue", { name: "pki-issue", policy: hcl(["pki/issue/*", ["update"]]) });
      role("cert-issuer", { boundServiceAccountNames: ["issuer"], boundServiceAccountNamespaces: ["cert-manager"], tokenPolicies: ["pki-issue"] });
    },
  },

  // --- platform objects outside platform namespaces (issue 23, item 3's pack side)
  {
    family: "platform namespaces",
    name: "a second token reviewer in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "platform-namespace",
    message: /ClusterRoleBinding tenant-reviewer binds system:auth-delegator to ServiceAccount apps-payments-checkout-api-dev\/reviewer in tenant namespace apps-payments-checkout-api-dev/,
    fragment: () => {
      new k8s.core.v1.ServiceAccount("tenant-reviewer-sa", { metadata: { name: "reviewer", namespace: TENANT_NS } });
      binding("tenant-reviewer", undefined, { kind: "ClusterRole", name: "system:auth-delegator" }, [{ kind: "ServiceAccount", name: "reviewer", namespace: TENANT_NS }]);
    },
  },
  {
    family: "platform namespaces",
    name: "the reviewer's ServiceAccount placed in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "platform-namespace",
    message: /ServiceAccount apps-platform-liberty-hello-dev\/eso-vault-auth is bound to system:auth-delegator .* but lives in tenant namespace apps-platform-liberty-hello-dev/,
    fragment: () => {
      new k8s.core.v1.ServiceAccount("misplaced-reviewer", { metadata: { name: "eso-vault-auth", namespace: "apps-platform-liberty-hello-dev" } });
      binding("misplaced-reviewer", undefined, { kind: "ClusterRole", name: "system:auth-delegator" }, [{ kind: "ServiceAccount", name: "eso-vault-auth", namespace: "apps-platform-liberty-hello-dev" }]);
    },
  },
  {
    family: "platform namespaces",
    name: "a long-lived token Secret in the default namespace",
    stack: "spoke-dc-v6",
    rule: "platform-namespace",
    message: /Secret default\/reviewer-copy is a long-lived token of ServiceAccount eso-vault-auth in namespace default, which every user of the cluster shares/,
    fragment: () =>
      void new k8s.core.v1.Secret("reviewer-copy", { metadata: { name: "reviewer-copy", namespace: "default", annotations: { "kubernetes.io/service-account.name": "eso-vault-auth" } }, type: "kubernetes.io/service-account-token" }),
  },
  {
    family: "platform namespaces",
    name: "ESO's egress policy in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "platform-namespace",
    message: /NetworkPolicy apps-payments-checkout-api-stg\/eso-allow-egress-to-vault opens egress to Vault from tenant namespace apps-payments-checkout-api-stg/,
    fragment: () =>
      void new k8s.networking.v1.NetworkPolicy("tenant-egress", {
        metadata: { name: "eso-allow-egress-to-vault", namespace: "apps-payments-checkout-api-stg" },
        spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.20.0.15/32" } }], ports: [{ port: 8200, protocol: "TCP" }] }] },
      }),
  },
  {
    family: "platform namespaces",
    name: "the PushSecret store's ServiceAccount and role placed in a tenant namespace",
    stack: "spoke-dc-v6",
    rule: "platform-namespace",
    message: /ServiceAccount apps-payments-checkout-api-dev\/eso-vault-push holds the platform policy platform-spoke-dc-v6-push-write .*, but lives in tenant namespace/,
    fragment: () => {
      new k8s.core.v1.ServiceAccount("tenant-push-sa", { metadata: { name: "eso-vault-push", namespace: TENANT_NS } });
      new vault.Policy("tenant-push", { name: "platform-spoke-dc-v6-push-write", policy: hcl(["secret/data/ocp/spoke-dc-v6/generated/x", ["create", "read", "update"]]) });
      role("platform-spoke-dc-v6-push", { boundServiceAccountNames: ["eso-vault-push"], tokenPolicies: ["platform-spoke-dc-v6-push-write"] });
      cr("tenant-push-store", "external-secrets.io/v1", "SecretStore", { name: "vault-platform-push", namespace: TENANT_NS }, {
        spec: { provider: { vault: { server: "https://vault.sub.comptech-lab.com:8200", path: "secret", version: "v2", auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "platform-spoke-dc-v6-push", serviceAccountRef: { name: "eso-vault-push", audiences: ["vault"] } } } } } },
      });
      cr("tenant-push-gen", "generators.external-secrets.io/v1alpha1", "Password", { name: "x", namespace: TENANT_NS }, { spec: { length: 32 } });
      cr("tenant-push", "external-secrets.io/v1alpha1", "PushSecret", { name: "x", namespace: TENANT_NS }, {
        spec: { refreshInterval: "0", secretStoreRefs: [{ kind: "SecretStore", name: "vault-platform-push" }], selector: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password", name: "x" } }, data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/generated/x" } } }] },
      });
    },
  },

  // --- fail closed
  {
    family: "fail closed",
    name: "a Helm release",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge kubernetes:helm\.sh\/v3:Release/,
    fragment: () => void new k8s.helm.v3.Release("vendor", { chart: "vendor", namespace: ESO_NS, repositoryOpts: { repo: "https://charts.example" } }),
  },
  {
    family: "fail closed",
    name: "a raw write configuring a database secrets engine",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge vault:generic\/endpoint:Endpoint writing database\/config\/orders/,
    fragment: () => void endpoint("db-config", "database/config/orders", { plugin_name: "postgresql-database-plugin", allowed_roles: "*", connection_url: "postgresql://{{username}}:{{password}}@db:5432/orders" }),
  },
  {
    family: "fail closed",
    name: "an AWS secrets engine role",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge vault:aws\/secretBackendRole:SecretBackendRole/,
    fragment: () => void new vault.aws.SecretBackendRole("deploy", { backend: "aws", name: "deploy", credentialType: "iam_user", policyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }),
  },
  {
    family: "fail closed",
    name: "a ClusterGenerator of a kind that calls out (Webhook)",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge kubernetes:generators\.external-secrets\.io\/v1alpha1:ClusterGenerator of kind Webhook/,
    fragment: () => void cr("hook-gen", "generators.external-secrets.io/v1alpha1", "ClusterGenerator", { name: "hook-gen" }, { spec: { kind: "Webhook", generator: { webhookSpec: { url: "https://hooks.example/token" } } } }),
  },
  {
    family: "fail closed",
    name: "an AppRole secret ID kept in the state",
    stack: "spoke-dc-v6",
    rule: "unjudged-type",
    message: /cannot judge vault:appRole\/authBackendRoleSecretId:AuthBackendRoleSecretId/,
    fragment: () => void new vault.approle.AuthBackendRoleSecretId("ci-secret-id", { backend: "approle", roleName: "ci" }),
  },
];

export const FAMILY_GOOD: FamilyGood[] = [
  {
    family: "policy identity",
    name: "the default policy rewritten narrower than Vault's",
    stack: "vault",
    fragment: () => void new vault.Policy("default-narrow", { name: "default", policy: hcl(["auth/token/lookup-self", ["read"]], ["auth/token/renew-self", ["update"]], ["cubbyhole/*", ["read", "create", "update"]]) }),
  },
  {
    family: "identity and auth methods",
    name: "a new admin environment aliased to its own identity-provider group",
    stack: "vault",
    fragment: () => {
      new vault.Policy("qa-admin", { name: "qa-kv-rw", policy: hcl(["secret/data/apps/*", ["create", "read", "update"]], ["secret/metadata/apps/*", ["read", "list"]]) });
      const g = new vault.identity.Group("qa-admins", { name: "vault-admins-qa", type: "external", policies: ["qa-kv-rw"] });
      new vault.identity.GroupAlias("qa-admins", { name: "vault-admins-qa", mountAccessor: "auth_oidc_1234", canonicalId: g.id });
    },
  },
  {
    family: "identity and auth methods",
    name: "an internal group of entities holding only the default policy",
    stack: "vault",
    fragment: () => void new vault.identity.Group("helpdesk", { name: "helpdesk", type: "internal", policies: ["default"], memberEntityIds: ["e-1", "e-2"] }),
  },
  {
    family: "identity and auth methods",
    name: "a token role listing its policies explicitly",
    stack: "spoke-dc-v6",
    fragment: () => void new vault.tokenauth.AuthBackendRole("renewer", { roleName: "renewer", allowedPolicies: ["default"], orphan: false }),
  },
  {
    family: "cross-cluster writes",
    name: "a cluster stack seeding its own cluster's platform key",
    stack: "spoke-dc-v6",
    fragment: () => void new vault.kv.SecretV2("own-sonar", { mount: "secret", name: "ocp/spoke-dc-v6/sonar/token", dataJson: JSON.stringify({ token: "rotated-by-ci" }) }),
  },
  {
    family: "cross-cluster writes",
    name: "a raw write of this cluster's KV data",
    stack: "spoke-dc-v6",
    fragment: () => void endpoint("own-flag", "secret/data/ocp/spoke-dc-v6/flags/maintenance", { data: { on: "false" } }),
  },
  {
    family: "kubernetes rbac",
    name: "view bound to every authenticated user in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => void binding("all-view", TENANT_NS, { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "system:authenticated", apiGroup: RBAC }]),
  },
  {
    family: "kubernetes rbac",
    name: "a ClusterRole aggregating ConfigMap reads into view",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.rbac.v1.ClusterRole("view-flags", {
        metadata: { name: "view-flags", labels: { [`${RBAC}/aggregate-to-view`]: "true" } },
        rules: [{ apiGroups: ["flags.example.com"], resources: ["featureflags"], verbs: ["get", "list", "watch"] }],
      }),
  },
  {
    family: "kubernetes rbac",
    name: "pod logs and listing in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.rbac.v1.Role("log-reader", { metadata: { name: "log-reader", namespace: TENANT_NS }, rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }] });
      binding("log-reader", TENANT_NS, { kind: "Role", name: "log-reader" }, [{ kind: "Group", name: "payments-devs", apiGroup: RBAC }]);
    },
  },
  {
    family: "kubernetes rbac",
    name: "admin in a namespace that holds nothing of the platform's",
    stack: "spoke-dc-v6",
    fragment: () => void binding("grafana-admin", "grafana", { kind: "ClusterRole", name: "admin" }, [{ kind: "Group", name: "observability", apiGroup: RBAC }]),
  },
  {
    family: "secrets outside vault",
    name: "a ConfigMap whose keys only mention passwords",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.core.v1.ConfigMap("auth-settings", { metadata: { name: "auth-settings", namespace: TENANT_NS }, data: { "password-policy": "min 12 characters", "token-url": "https://sso.example/token", "secret-name": "app-registry-pull", "api-key-header": "X-Api-Key" } }),
  },
  {
    family: "secrets outside vault",
    name: "an ExternalSecret template reading every credential from the provider",
    stack: "spoke-dc-v6",
    fragment: () =>
      void cr(`${TENANT_NS}-db-url`, "external-secrets.io/v1", "ExternalSecret", { name: "db-url", namespace: TENANT_NS }, {
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { kind: "SecretStore", name: "vault-apps" },
          target: { name: "db-url", template: { data: { url: "postgres://{{ .user }}:{{ .password }}@db.internal:5432/orders", password: "{{ .password }}", mode: "verify-full" } } },
          data: [
            { secretKey: "user", remoteRef: { key: "apps/payments/checkout-api/db", property: "user" } },
            { secretKey: "password", remoteRef: { key: "apps/payments/checkout-api/db", property: "password" } },
          ],
        },
      }),
  },
  {
    family: "secrets outside vault",
    name: "a Deployment with plain settings in its env, running as its own ServiceAccount",
    stack: "spoke-dc-v6",
    fragment: () => void deployment("checkout", TENANT_NS, "checkout", [{ name: "DB_HOST", value: "db.internal" }, { name: "LOG_LEVEL", value: "info" }]),
  },
  {
    family: "eso write paths",
    name: "an ExternalSecret merging into a Secret nothing else produces",
    stack: "spoke-dc-v6",
    fragment: () =>
      void cr(`${TENANT_NS}-app-config`, "external-secrets.io/v1", "ExternalSecret", { name: "app-config", namespace: TENANT_NS }, {
        spec: { refreshInterval: "1h", secretStoreRef: { kind: "SecretStore", name: "vault-apps" }, target: { name: "app-config", creationPolicy: "Merge" }, data: [{ secretKey: "flag", remoteRef: { key: "apps/payments/checkout-api/flags", property: "dark" } }] },
      }),
  },
  {
    family: "eso write paths",
    name: "a tenant's own VaultDynamicSecret logging in as its app-eso",
    stack: "spoke-dc-v6",
    fragment: () =>
      void cr("tenant-dyn", "generators.external-secrets.io/v1alpha1", "VaultDynamicSecret", { name: "session", namespace: TENANT_NS }, {
        spec: { path: "secret/data/apps/payments/checkout-api/session", method: "GET", provider: { server: "https://vault.sub.comptech-lab.com:8200", auth: { kubernetes: { mountPath: "spoke-dc-v6-k8s", role: "apps-spoke-dc-v6-payments", serviceAccountRef: { name: "app-eso", audiences: ["vault"] } } } } },
      }),
  },
  {
    family: "eso write paths",
    name: "a Job in the pipelines namespace running as its own ServiceAccount",
    stack: "spoke-dc-v6",
    fragment: () =>
      void new k8s.batch.v1.Job("prune", { metadata: { name: "prune", namespace: "openshift-pipelines" }, spec: { template: { spec: { serviceAccountName: "pipeline", restartPolicy: "Never", containers: [{ name: "prune", image: "registry.example/prune:1" }] } } } }),
  },
  {
    family: "engines outside kv",
    name: "every token encrypting with one transit key, accepted through extraAllowed",
    stack: "vault",
    config: Object.fromEntries(["vault-policy-shape", "vault-effective-access"].map((rule) => [rule, { extraAllowed: [{ path: "transit/encrypt/orders", capabilities: ["update"] }] }])),
    fragment: () => void new vault.Policy("default-transit", { name: "default", policy: hcl(["auth/token/lookup-self", ["read"]], ["cubbyhole/*", ["read"]], ["transit/encrypt/orders", ["update"]]) }),
  },
  {
    family: "platform namespaces",
    name: "a second reviewer in a dedicated platform namespace",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.core.v1.ServiceAccount("audit-reviewer", { metadata: { name: "audit-reviewer", namespace: "vault-audit" } });
      binding("audit-reviewer", undefined, { kind: "ClusterRole", name: "system:auth-delegator" }, [{ kind: "ServiceAccount", name: "audit-reviewer", namespace: "vault-audit" }]);
    },
  },
  {
    family: "fail closed",
    name: "a Service and a PodDisruptionBudget in a tenant namespace",
    stack: "spoke-dc-v6",
    fragment: () => {
      new k8s.core.v1.Service("checkout-svc", { metadata: { name: "checkout", namespace: TENANT_NS }, spec: { selector: { app: "checkout" }, ports: [{ port: 80, targetPort: 8080 }] } });
      new k8s.policy.v1.PodDisruptionBudget("checkout-pdb", { metadata: { name: "checkout", namespace: TENANT_NS }, spec: { minAvailable: 1, selector: { matchLabels: { app: "checkout" } } } });
    },
  },
];
