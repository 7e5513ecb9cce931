// Fail closed: whatever can grant or carry secret access and the pack does not model exactly
// is refused, by type, by raw Vault path, or by a reference the pack cannot resolve. A team
// that accepts one lists its type or URN in this rule's config; nothing passes unnamed.
import { genericData, genericPath, isGeneric, modelOf, rawWriteOf } from "../model";
import { stackRule } from "../rule";
import { esoKind, known, kubernetesType, specOf, TYPES, type ResourceView } from "../shapes";
import { effectiveConfig, KV_SCHEMA } from "./access";
import { accessDefaults } from "../allowance";
import { rbacAnalysis } from "./rbac";
import { CLUSTER_GENERATOR, INERT_GENERATORS } from "./scoping";

/**
 * Kubernetes kinds (by API group) the pack either judges exactly or knows cannot grant, route
 * or carry access. Any version of a group counts, whatever type token registered it.
 */
const JUDGED_KUBERNETES: Record<string, readonly string[]> = {
  "": ["Namespace", "NamespacePatch", "ServiceAccount", "ServiceAccountPatch", "Secret", "SecretPatch", "ConfigMap", "ConfigMapPatch", "Pod", "ReplicationController", "Service", "LimitRange", "ResourceQuota"],
  apps: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
  batch: ["Job", "CronJob"],
  "networking.k8s.io": ["NetworkPolicy"],
  "rbac.authorization.k8s.io": ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "RolePatch", "ClusterRolePatch", "RoleBindingPatch", "ClusterRoleBindingPatch"],
  policy: ["PodDisruptionBudget"],
  autoscaling: ["HorizontalPodAutoscaler"],
  "external-secrets.io": ["ExternalSecret", "SecretStore", "ClusterSecretStore", "ClusterExternalSecret", "PushSecret", "ClusterPushSecret"],
  "generators.external-secrets.io": ["Password", "UUID", "VaultDynamicSecret"],
};

/** Components of the Kubernetes provider: they do nothing themselves, and register what they contain as resources the pack judges. */
const KUBERNETES_COMPONENTS = /^kubernetes:(yaml(\/v2)?:Config(File|Group)|kustomize(\/v2)?:Directory|helm\.sh\/v[34]:Chart)$/;

/** Vault types judged beyond those that hand out policies (which the access rule judges whatever their type). */
const JUDGED_VAULT = new Set<string>([
  TYPES.mount,
  TYPES.policy,
  TYPES.authBackend,
  TYPES.role,
  TYPES.identityGroup,
  TYPES.token,
  "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  "vault:identity/groupAlias:GroupAlias",
  "vault:identity/groupPolicies:GroupPolicies",
  "vault:identity/groupMemberEntityIds:GroupMemberEntityIds",
  "vault:identity/groupMemberGroupIds:GroupMemberGroupIds",
  "vault:identity/entity:Entity",
  "vault:identity/entityAlias:EntityAlias",
  "vault:identity/entityPolicies:EntityPolicies",
  "vault:kv/secretV2:SecretV2",
  "vault:kv/secret:Secret",
  "vault:tokenauth/authBackendRole:AuthBackendRole",
]);

/** Raw writes the pack reads exactly (see vaultPaths.ts); anything else under a raw write is refused. */
const JUDGED_RAW = new Set(["policy", "auth-enable", "auth-config", "auth-role", "auth-member", "token-role", "token-create", "identity-group", "identity-entity", "identity-entity-alias", "kv"]);

/** Raw writes whose body carries what the pack judges (a policy's text, a role's grants). */
const BODY_NEEDED = new Set(["policy", "auth-role", "auth-member", "token-role", "token-create", "identity-group", "identity-entity"]);

function unjudged(r: ResourceView, kvMount: string): string | undefined {
  if (r.type.startsWith("pulumi:") || r.type.startsWith("platform-secrets:") || r.type.startsWith("random:")) return undefined;
  const k8s = kubernetesType(r.type);
  if (r.type.startsWith("kubernetes:") && k8s) {
    if (KUBERNETES_COMPONENTS.test(r.type)) return undefined;
    if (r.type === CLUSTER_GENERATOR) {
      const kind = specOf<{ kind?: string }>(r).kind ?? "";
      return INERT_GENERATORS.includes(kind) || kind === "VaultDynamicSecret" ? undefined : `${r.type} of kind ${kind || "(none)"}`;
    }
    if (esoKind(r.type) || JUDGED_KUBERNETES[k8s.group]?.includes(k8s.kind)) return undefined;
    return r.type;
  }
  if (r.type.startsWith("vault:")) {
    if (isGeneric(r)) {
      const w = rawWriteOf(r, kvMount);
      const path = genericPath(r) ?? "(unknown path)";
      if (!JUDGED_RAW.has(w.kind)) return `${r.type} writing ${path}`;
      if (BODY_NEEDED.has(w.kind) && !genericData(r)) return `${r.type} writing ${path} (its body is not readable)`;
      return undefined;
    }
    const grants = ["tokenPolicies", "policies", "allowedPolicies"].some((k) => Array.isArray(known(() => r.props[k])));
    return JUDGED_VAULT.has(r.type) || grants ? undefined : r.type;
  }
  return r.type;
}

interface UnjudgedConfig {
  kvMount: string;
  allowTypes: string[];
  allowUrns: string[];
}

export const unjudgedType = stackRule<UnjudgedConfig>({
  name: "unjudged-type",
  description:
    "Fail closed: a resource whose type (or raw Vault path) the pack does not model, a binding to a role whose rules it cannot see, an identity reference it cannot resolve, or a token role granting policies by glob is refused, because what the pack cannot judge could grant secret access. Accept one by listing its type in allowTypes or its URN in allowUrns.",
  configSchema: {
    ...KV_SCHEMA,
    allowTypes: { type: "array", items: { type: "string" }, description: "resource types a team has reviewed and accepts, e.g. kubernetes:apps/v1:Ingress", default: [] },
    allowUrns: { type: "array", items: { type: "string" }, description: "URNs of single resources a team has reviewed and accepts", default: [] },
  },
  check(resources, rawConfig, report) {
    const model = modelOf(resources);
    const config = effectiveConfig(rawConfig, model);
    const allowed = (r: { type?: string; urn: string }) => config.allowUrns.includes(r.urn) || (r.type !== undefined && config.allowTypes.includes(r.type));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const say = (urn: string, message: string) => {
      if (!allowed({ urn, ...(byUrn.get(urn) ? { type: byUrn.get(urn)!.type } : {}) })) report(`${message} (allow it with unjudged-type's allowTypes or allowUrns once reviewed)`, urn);
    };
    for (const r of resources) {
      const what = unjudged(r, config.kvMount);
      if (what) say(r.urn, `the pack cannot judge ${what} (${r.urn.split("::").pop()}): it does not model what this type grants, routes or carries`);
    }
    for (const u of model.unresolvedIdentity) say(u.urn, `the pack cannot judge ${u.urn.split("::").pop()}: it ${u.what}`);
    for (const g of model.otherGrants) {
      for (const glob of g.policyGlobs ?? []) say(g.urn, `the pack cannot judge ${g.principal}: it allows policies by glob "${glob}", so any policy later written under a matching name is granted unreviewed; list the policies`);
    }
    for (const f of rbacAnalysis(resources, accessDefaults({ kvMount: config.kvMount })).unjudged) say(f.urn, f.message);
  },
});
