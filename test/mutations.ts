// A catalogue of single bad changes to a stack's registered resources, each with the rule
// meant to catch it. Used by the per-rule tests and by the mutation property.
import type { RegisteredResource } from "../preview/mock";
import { ofType, T } from "./helpers";

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

type Props = Record<string, any>;

export interface Mutation {
  name: string;
  rule: string;
  /** Applies the change to `resources` in place; false when the stack has nothing to change. */
  apply(resources: RegisteredResource[], pick: number): boolean;
}

/** Edits inputs and outputs alike: resource rules read inputs, stack rules read outputs. */
function edit(r: RegisteredResource, fn: (p: Props) => void): void {
  fn(r.inputs as Props);
  fn(r.outputs as Props);
}

const meta = (r: RegisteredResource) => (r.inputs as { metadata?: Meta }).metadata ?? {};
const named = (rs: RegisteredResource[], type: string, name: string) => rs.filter((r) => r.type === type && meta(r).name === name);
const policyNamed = (rs: RegisteredResource[], re: RegExp) => rs.filter((r) => r.type === T.policy && re.test(String(r.inputs.name)));
const tenantRoles = (rs: RegisteredResource[]) => ofType(rs, T.role).filter((r) => (r.inputs.boundServiceAccountNames as string[])[0] === "app-eso");
const ciSecrets = (rs: RegisteredResource[]) => ofType(rs, T.es).filter((r) => meta(r).namespace === "openshift-pipelines");

function pickOf<X>(xs: X[], pick: number): X | undefined {
  return xs.length ? xs[pick % xs.length] : undefined;
}

function mutate(candidates: (rs: RegisteredResource[]) => RegisteredResource[], fn: (r: RegisteredResource, rs: RegisteredResource[]) => void) {
  return (rs: RegisteredResource[], pick: number) => {
    const r = pickOf(candidates(rs), pick);
    if (!r) return false;
    fn(r, rs);
    return true;
  };
}

function remove(rs: RegisteredResource[], r: RegisteredResource): void {
  rs.splice(rs.indexOf(r), 1);
}

/** Registers one more resource next to `like` (same stack and project), inputs and outputs alike. */
function add(rs: RegisteredResource[], like: RegisteredResource, type: string, name: string, props: Props): void {
  const [stack, project] = like.urn.split("::");
  rs.push({ urn: `${stack}::${project}::${type}::${name}`, type, name, custom: true, protect: false, read: false, dependencies: [], propertyDependencies: {}, inputs: structuredClone(props), outputs: structuredClone(props) });
}

export const MUTATIONS: Mutation[] = [
  {
    name: "glob namespace in a tenant role",
    rule: "auth-role-scope",
    apply: mutate(tenantRoles, (r) => edit(r, (p) => (p.boundServiceAccountNamespaces[0] = String(p.boundServiceAccountNamespaces[0]).replace(/-[^-]+$/, "-*")))),
  },
  {
    name: "division policy widened to every division",
    rule: "vault-policy-shape",
    apply: mutate((rs) => policyNamed(rs, /^apps-.+-read$/), (r) => edit(r, (p) => (p.policy = 'path "secret/data/apps/*" {\n  capabilities = ["read"]\n}\n'))),
  },
  {
    name: "seed 001's mid-path glob in the pipelines policy",
    rule: "vault-policy-glob",
    apply: mutate((rs) => policyNamed(rs, /^pipelines-/), (r) => edit(r, (p) => (p.policy = 'path "secret/data/apps/*/*/ci/quay-robot" {\n  capabilities = ["read"]\n}\n'))),
  },
  {
    name: "sudo in a division policy",
    rule: "vault-policy-shape",
    apply: mutate((rs) => policyNamed(rs, /^apps-.+-read$/), (r) => edit(r, (p) => (p.policy = String(p.policy).replace('["read"]', '["read", "sudo"]')))),
  },
  {
    name: "admin policy reaching outside the KV mount",
    rule: "vault-policy-shape",
    apply: mutate((rs) => policyNamed(rs, /-kv-rw$/), (r) => edit(r, (p) => (p.policy = `${String(p.policy)}\npath "sys/policies/acl/*" {\n  capabilities = ["update"]\n}\n`))),
  },
  {
    name: "policy without the platform's naming",
    rule: "vault-policy-naming",
    apply: mutate((rs) => ofType(rs, T.policy), (r) => edit(r, (p) => (p.name = "tenant-reader"))),
  },
  {
    name: "tenant SecretStore renamed",
    rule: "secret-store-naming",
    apply: mutate((rs) => named(rs, T.ss, "vault-apps"), (r) => edit(r, (p) => (p.metadata.name = "vault"))),
  },
  {
    name: "two ExternalSecrets render one Secret",
    rule: "unique-target-secrets",
    apply: (rs, pick) => {
      const ci = ciSecrets(rs);
      if (ci.length >= 2) {
        const a = ci[pick % ci.length]!;
        const b = ci[(pick + 1) % ci.length]!;
        edit(b, (p) => (p.spec.target.name = (a.inputs as Props).spec.target.name));
        return true;
      }
      const canary = pickOf(named(rs, T.es, "vault-apps-canary"), pick);
      if (!canary || ofType(rs, T.ces).length === 0) return false;
      edit(canary, (p) => (p.spec.target.name = "app-registry-pull"));
      return true;
    },
  },
  {
    name: "ClusterExternalSecret with an empty namespace selector",
    rule: "namespace-selection",
    apply: mutate((rs) => ofType(rs, T.ces), (r) => edit(r, (p) => (p.spec.namespaceSelectors = [{}]))),
  },
  {
    name: "ClusterExternalSecret reading a tenant path",
    rule: "cluster-external-secret-scope",
    apply: mutate((rs) => ofType(rs, T.ces), (r) => edit(r, (p) => (p.spec.externalSecretSpec.data[0].remoteRef.key = "apps/payments/checkout-api/db"))),
  },
  {
    name: "ClusterExternalSecret reading another cluster's platform key",
    rule: "cluster-external-secret-scope",
    apply: mutate((rs) => ofType(rs, T.ces), (r) => edit(r, (p) => (p.spec.externalSecretSpec.data[0].remoteRef.key = "ocp/spoke-dc-v9/registries/app-registry-pull"))),
  },
  {
    name: "PushSecret writing through the read store once it reads a replica",
    rule: "push-to-primary",
    apply: mutate(
      (rs) => named(rs, T.css, "vault-platform"),
      (css, rs) => {
        edit(css, (p) => (p.spec.provider.vault.server = "https://vault-replica.example:8200"));
        add(rs, css, "kubernetes:external-secrets.io/v1alpha1:PushSecret", "push-to-replica", {
          apiVersion: "external-secrets.io/v1alpha1",
          kind: "PushSecret",
          metadata: { name: "push-to-replica", namespace: "external-secrets" },
          spec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-platform" }], selector: { secret: { name: "db" } }, data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "ocp/spoke-dc-v6/db" } } }] },
        });
      },
    ),
  },
  {
    name: "KV mount unprotected",
    rule: "protected-vault-mounts",
    apply: mutate((rs) => ofType(rs, T.mount), (r) => (r.protect = false)),
  },
  {
    name: "KV mount at version 1",
    rule: "protected-vault-mounts",
    apply: mutate((rs) => ofType(rs, T.mount), (r) => edit(r, (p) => (p.options = { version: "1" }))),
  },
  {
    name: "auth backend unprotected",
    rule: "protected-vault-mounts",
    apply: mutate((rs) => ofType(rs, T.authBackend), (r) => (r.protect = false)),
  },
  {
    name: "auth backend not at <cluster>-k8s",
    rule: "auth-backend-naming",
    apply: mutate((rs) => ofType(rs, T.authBackend), (r) => edit(r, (p) => (p.path = "kubernetes"))),
  },
  {
    name: "ClusterSecretStore without conditions",
    rule: "namespace-selection",
    apply: mutate((rs) => ofType(rs, T.css), (r) => edit(r, (p) => delete p.spec.conditions)),
  },
  {
    name: "a second, broad ClusterSecretStore name",
    rule: "store-routing",
    apply: mutate((rs) => ofType(rs, T.css), (r) => edit(r, (p) => (p.metadata.name = "vault-everything"))),
  },
  {
    name: "tenant ExternalSecret reading through the platform store",
    rule: "store-routing",
    apply: mutate((rs) => named(rs, T.es, "vault-apps-canary"), (r) => edit(r, (p) => (p.spec.secretStoreRef = { kind: "ClusterSecretStore", name: "vault-platform" }))),
  },
  {
    name: "literal data in a managed Secret",
    rule: "no-literal-secrets",
    apply: mutate((rs) => ofType(rs, T.secret), (r) => edit(r, (p) => (p.stringData = { token: "hunter2" }))),
  },
  {
    name: "role token TTL of a day",
    rule: "auth-role-scope",
    apply: mutate((rs) => ofType(rs, T.role), (r) => edit(r, (p) => (p.tokenTtl = 86400))),
  },
  {
    name: "refresh every second",
    rule: "refresh-interval-bounds",
    apply: mutate((rs) => ofType(rs, T.es), (r) => edit(r, (p) => (p.spec.refreshInterval = "1s"))),
  },
  {
    name: "role listing a policy nobody defines",
    rule: "role-policies-exist",
    apply: mutate((rs) => ofType(rs, T.role), (r) => edit(r, (p) => (p.tokenPolicies = [...p.tokenPolicies, "apps-ghost-read"]))),
  },
  {
    name: "egress NetworkPolicy dropped",
    rule: "eso-egress-present",
    apply: mutate((rs) => ofType(rs, T.netpol), (r, rs) => remove(rs, r)),
  },
  {
    name: "pipelines ExternalSecret reading another path",
    rule: "pipelines-secret-scope",
    apply: mutate(ciSecrets, (r) => edit(r, (p) => (p.spec.data[1].remoteRef.key = "apps/payments/checkout-api/db"))),
  },
  {
    name: "CI secret not named quay-robot-team-<team>",
    rule: "ci-secret-naming",
    apply: mutate(ciSecrets, (r) => edit(r, (p) => (p.metadata.name = `robot-${String(p.metadata.name)}`))),
  },
  {
    name: "tenant namespace without the tenant label",
    rule: "tenant-namespace-naming",
    apply: mutate((rs) => ofType(rs, T.namespace), (r) => edit(r, (p) => delete p.metadata.labels["apps.platform/tenant"])),
  },
  {
    name: "tenant role misnamed",
    rule: "auth-role-naming",
    apply: mutate(tenantRoles, (r) => edit(r, (p) => (p.roleName = `${String(p.roleName)}-all`))),
  },
  {
    name: "app-eso ServiceAccount missing",
    rule: "tenant-namespace-complete",
    apply: mutate((rs) => named(rs, T.serviceAccount, "app-eso"), (r, rs) => remove(rs, r)),
  },
  {
    name: "store logging in with a role the stack does not define",
    rule: "store-login-binding",
    apply: mutate((rs) => ofType(rs, T.css), (r) => edit(r, (p) => (p.spec.provider.vault.auth.kubernetes.role = "platform-elsewhere"))),
  },
  {
    name: "tenant role also binding a platform namespace's ServiceAccount",
    rule: "vault-effective-access",
    apply: mutate(tenantRoles, (r) => edit(r, (p) => (p.boundServiceAccountNamespaces = [...p.boundServiceAccountNamespaces, "openshift-config"]))),
  },
  {
    name: "a second resource managing the same Vault policy",
    rule: "single-owner",
    apply: mutate((rs) => ofType(rs, T.policy), (r, rs) => add(rs, r, T.policy, `${r.name}-copy`, r.inputs as Props)),
  },
  {
    name: "CI secret reading another tenant's robot",
    rule: "ci-secret-owner",
    apply: (rs, pick) => {
      const ci = ciSecrets(rs);
      if (ci.length < 2) return false;
      const other = (ci[(pick + 1) % ci.length]!.inputs as Props).spec.data[0].remoteRef.key as string;
      edit(ci[pick % ci.length]!, (p) => p.spec.data.forEach((d: Props) => (d.remoteRef.key = other)));
      return true;
    },
  },
  {
    name: "RoleBinding giving edit in a tenant namespace",
    rule: "tenant-rbac",
    apply: mutate(
      (rs) => ofType(rs, T.namespace),
      (r, rs) => add(rs, r, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "ops-edit", {
        metadata: { name: "ops-edit", namespace: meta(r).name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
        subjects: [{ kind: "Group", name: "ops" }],
      }),
    ),
  },
  {
    name: "a resource type the pack does not know",
    rule: "unjudged-type",
    apply: mutate((rs) => ofType(rs, T.namespace), (r, rs) => add(rs, r, "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration", "inject", { metadata: { name: `inject-${meta(r).name}` } })),
  },
  {
    name: "a tenant role moved onto another cluster's auth mount",
    rule: "cluster-ownership",
    apply: mutate(tenantRoles, (r) => edit(r, (p) => (p.backend = "spoke-dc-v9-k8s"))),
  },
  {
    name: "ESO's reviewer, its token and its egress policy placed in a tenant namespace",
    rule: "platform-namespace",
    apply: (rs, pick) => {
      const tenant = pickOf(ofType(rs, T.namespace).filter((n) => meta(n).labels?.["apps.platform/tenant"] === "true"), pick);
      const moved = [...named(rs, T.serviceAccount, "eso-vault-auth"), ...named(rs, T.secret, "eso-vault-auth-token"), ...named(rs, T.netpol, "eso-allow-egress-to-vault")];
      if (!tenant || moved.length === 0) return false;
      for (const r of moved) edit(r, (p) => (p.metadata.namespace = meta(tenant).name));
      for (const r of ofType(rs, T.crb)) edit(r, (p) => p.subjects.forEach((s: Props) => (s.namespace = meta(tenant).name)));
      return true;
    },
  },
  {
    name: "a Deployment running as a tenant's app-eso",
    rule: "service-account-use",
    apply: mutate(
      (rs) => named(rs, T.serviceAccount, "app-eso"),
      (sa, rs) =>
        add(rs, sa, "kubernetes:apps/v1:Deployment", `dump-${meta(sa).namespace}`, {
          metadata: { name: "dump", namespace: meta(sa).namespace },
          spec: { selector: { matchLabels: { app: "dump" } }, template: { metadata: { labels: { app: "dump" } }, spec: { serviceAccountName: "app-eso", containers: [{ name: "dump", image: "busybox" }] } } },
        }),
    ),
  },
  {
    name: "a PushSecret copying a Secret of ESO's namespace into a key a distributed secret fans out",
    rule: "pushed-secret-source",
    apply: mutate(
      (rs) => ofType(rs, T.ces).filter((c) => (c.inputs as Props).spec.externalSecretSpec.data?.[0]?.remoteRef?.key),
      (ces, rs) =>
        add(rs, ces, "kubernetes:external-secrets.io/v1alpha1:PushSecret", `leak-${ces.name}`, {
          metadata: { name: `leak-${ces.name}`, namespace: "external-secrets" },
          spec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-platform" }], selector: { secret: { name: "eso-vault-auth-token" } }, data: [{ match: { secretKey: "token", remoteRef: { remoteKey: (ces.inputs as Props).spec.externalSecretSpec.data[0].remoteRef.key } } }] },
        }),
    ),
  },
];
