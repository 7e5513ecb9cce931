// Kubernetes paths to a Secret: RBAC that reads Secrets, mints ServiceAccount tokens, runs or
// executes in pods (as whatever ServiceAccount they use), impersonates, or escalates, wherever
// a namespace holds what the platform protects; including rules aggregated into the built-in
// roles, aggregated roles, patches of roles and bindings, and bindings to everyone.
import { matches, type LabelSelector } from "../../model/labelSelector";
import { vaultServiceAccounts } from "../holders";
import { memoized, modelOf, platformServiceAccounts, pushServiceAccounts } from "../model";
import { stackRule } from "../rule";
import { kindIn, metaOf, objectName, RBAC_GROUP, type ResourceView } from "../shapes";
import { accessDefaults, type AccessConfig } from "../allowance";
import { effectiveConfig } from "./access";
import { isTenantNamespace } from "./common";

export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** What a rule may do that hands over a namespace's secrets, one entry per (API group, resources, verbs). */
const EXPOSURES: ReadonlyArray<{ group: string; resources: readonly string[]; verbs: readonly string[]; what: string }> = [
  { group: "", resources: ["secrets"], verbs: ["get", "list", "watch"], what: "reads Secrets" },
  { group: "", resources: ["serviceaccounts/token"], verbs: ["create"], what: "creates ServiceAccount tokens" },
  { group: "", resources: ["serviceaccounts", "users", "groups"], verbs: ["impersonate"], what: "impersonates ServiceAccounts" },
  { group: "", resources: ["pods"], verbs: ["create"], what: "creates pods, which run as any ServiceAccount of the namespace and mount any of its Secrets" },
  { group: "", resources: ["pods/exec", "pods/attach"], verbs: ["create", "get"], what: "executes in pods, as whatever ServiceAccount they run as" },
  { group: "", resources: ["replicationcontrollers"], verbs: ["create", "update", "patch"], what: "creates workloads, which run as any ServiceAccount of the namespace" },
  { group: "apps", resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: ["create", "update", "patch"], what: "creates workloads, which run as any ServiceAccount of the namespace" },
  { group: "batch", resources: ["jobs", "cronjobs"], verbs: ["create", "update", "patch"], what: "creates workloads, which run as any ServiceAccount of the namespace" },
  { group: RBAC_GROUP, resources: ["roles", "clusterroles"], verbs: ["escalate", "bind"], what: "escalates or binds roles, and so grants itself anything" },
];

function covers(values: readonly string[] | undefined, wanted: string, wildcardSub = false): boolean {
  return (values ?? []).some((v) => v === "*" || v === wanted || (wildcardSub && v.endsWith("/*") && wanted.startsWith(v.slice(0, -1))));
}

/** The first way `rules` hand over secrets, if any. */
export function exposes(rules: readonly RbacRule[]): string | undefined {
  for (const e of EXPOSURES) {
    for (const rule of rules) {
      if (!covers(rule.apiGroups, e.group)) continue;
      if (e.resources.some((res) => covers(rule.resources, res, true)) && e.verbs.some((v) => covers(rule.verbs, v))) return e.what;
    }
  }
  return undefined;
}

/**
 * Built-in ClusterRoles: what they hand over (undefined: nothing), and the aggregation labels
 * they carry (the roles that select those labels collect their rules).
 */
const BUILTIN_CLUSTER_ROLES: Record<string, { what?: string; labels: Record<string, string> }> = {
  "cluster-admin": { what: "reads Secrets and creates ServiceAccount tokens", labels: {} },
  admin: { what: "reads Secrets and creates ServiceAccount tokens", labels: {} },
  edit: { what: "reads Secrets and creates ServiceAccount tokens", labels: { [`${RBAC_GROUP}/aggregate-to-admin`]: "true" } },
  view: { labels: { [`${RBAC_GROUP}/aggregate-to-edit`]: "true" } },
  "system:aggregate-to-edit": { what: "reads Secrets and creates ServiceAccount tokens", labels: { [`${RBAC_GROUP}/aggregate-to-edit`]: "true" } },
  "system:aggregate-to-admin": { labels: { [`${RBAC_GROUP}/aggregate-to-admin`]: "true" } },
  "system:aggregate-to-view": { labels: { [`${RBAC_GROUP}/aggregate-to-view`]: "true" } },
  "system:auth-delegator": { labels: {} },
};

/** Labels that fold a ClusterRole's rules into a built-in one (Kubernetes' and OpenShift's). */
const AGGREGATE_LABEL = /^(rbac\.authorization\.k8s\.io|authorization\.openshift\.io)\/aggregate-to-(.+)$/;

interface RoleDef {
  kind: "Role" | "ClusterRole";
  name: string;
  namespace?: string;
  rules: RbacRule[];
  labels: Record<string, string>;
  aggregation?: LabelSelector[];
  patch: boolean;
  r: ResourceView;
}

interface RoleRef {
  kind?: string;
  name?: string;
}

function roleDefs(resources: readonly ResourceView[]): RoleDef[] {
  const out: RoleDef[] = [];
  for (const r of resources) {
    const kind = kindIn(r, RBAC_GROUP);
    const m = /^(Role|ClusterRole)(Patch)?$/.exec(kind ?? "");
    if (!m || !metaOf(r).name) continue;
    const agg = (r.props.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined)?.clusterRoleSelectors;
    out.push({
      kind: m[1] as RoleDef["kind"],
      name: metaOf(r).name!,
      ...(m[1] === "Role" ? { namespace: metaOf(r).namespace ?? "default" } : {}),
      rules: Array.isArray(r.props.rules) ? (r.props.rules as RbacRule[]) : [],
      labels: { ...(metaOf(r).labels ?? {}) },
      ...(agg ? { aggregation: agg } : {}),
      patch: m[2] !== undefined,
      r,
    });
  }
  return out;
}

export interface Binding {
  kind: "RoleBinding" | "ClusterRoleBinding";
  patch: boolean;
  namespace?: string;
  ref: RoleRef;
  subjects: Array<{ kind?: string; name?: string; namespace?: string }>;
  r: ResourceView;
}

export function bindings(resources: readonly ResourceView[]): Binding[] {
  const out: Binding[] = [];
  for (const r of resources) {
    const m = /^(RoleBinding|ClusterRoleBinding)(Patch)?$/.exec(kindIn(r, RBAC_GROUP) ?? "");
    if (!m) continue;
    out.push({
      kind: m[1] as Binding["kind"],
      patch: m[2] !== undefined,
      ...(m[1] === "RoleBinding" ? { namespace: metaOf(r).namespace ?? "default" } : {}),
      ref: (r.props.roleRef ?? {}) as RoleRef,
      subjects: Array.isArray(r.props.subjects) ? (r.props.subjects as Binding["subjects"]) : [],
      r,
    });
  }
  return out;
}

/** Groups every identity (or every ServiceAccount) belongs to. */
const BROAD = /^system:(authenticated|unauthenticated|serviceaccounts(:.*)?)$/;
export const broadSubjects = (b: Binding) => b.subjects.filter((s) => (s.kind === "Group" && BROAD.test(s.name ?? "")) || (s.kind === "User" && s.name === "system:anonymous"));

/** What a role hands over: a description, false for nothing, undefined when the pack cannot know. */
type Exposure = string | false | undefined;

function exposureOf(ref: RoleRef, namespace: string, defs: readonly RoleDef[]): Exposure {
  if (!ref.kind || !ref.name) return undefined;
  const own = defs.filter((d) => d.kind === ref.kind && d.name === ref.name && (d.kind === "ClusterRole" || d.namespace === namespace));
  const full = own.find((d) => !d.patch);
  const builtin = ref.kind === "ClusterRole" ? BUILTIN_CLUSTER_ROLES[ref.name] : undefined;
  const rules = own.flatMap((d) => d.rules);
  const direct = exposes(rules);
  if (direct) return direct;
  const agg = own.find((d) => d.aggregation);
  if (agg) return aggregatedExposure(agg.aggregation!, defs);
  if (full) return false;
  if (builtin) return builtin.what ?? false;
  return undefined;
}

/** What a ClusterRole with an aggregationRule collects: from the stack's and the built-in roles it selects, else unknown (any installed operator's role may match). */
function aggregatedExposure(selectors: readonly LabelSelector[], defs: readonly RoleDef[]): Exposure {
  const selected = (labels: Record<string, string>) => selectors.some((s) => matches(s, labels));
  for (const [name, b] of Object.entries(BUILTIN_CLUSTER_ROLES)) if (b.what && selected(b.labels)) return `${b.what} (it aggregates ${name})`;
  for (const d of defs.filter((x) => x.kind === "ClusterRole" && selected(x.labels))) {
    const what = exposes(d.rules);
    if (what) return `${what} (it aggregates ClusterRole ${d.name})`;
  }
  return undefined;
}

export interface RbacFinding {
  message: string;
  urn: string;
}

interface RbacAnalysis {
  judged: RbacFinding[];
  unjudged: RbacFinding[];
  /** `namespace/name` of ServiceAccounts some binding of the stack lets hand over secrets, with what */
  exposedServiceAccounts: Map<string, string>;
}

/** Namespaces whose Secrets or ServiceAccounts carry what Vault protects: tenants', and every namespace a Vault login or platform credential lives in. */
export function protectedNamespaces(resources: readonly ResourceView[], config: AccessConfig): Map<string, string> {
  const model = modelOf(resources);
  const out = new Map<string, string>();
  for (const ns of model.tenants.keys()) out.set(ns, `tenant namespace ${ns}`);
  for (const sa of vaultServiceAccounts(resources, config)) if (!out.has(sa.namespace)) out.set(sa.namespace, `namespace ${sa.namespace}, where ServiceAccount ${sa.name} ${sa.what}`);
  for (const sa of [...platformServiceAccounts(resources), ...pushServiceAccounts(resources)]) if (!out.has(sa.namespace)) out.set(sa.namespace, `namespace ${sa.namespace}, where ESO's store logs in as ${sa.name}`);
  for (const r of resources) {
    if (kindIn(r) === "Secret" && r.props.type === "kubernetes.io/service-account-token") {
      const ns = metaOf(r).namespace ?? "default";
      if (!out.has(ns)) out.set(ns, `namespace ${ns}, which holds the long-lived token Secret ${metaOf(r).name}`);
    }
  }
  return out;
}

function analyse(resources: readonly ResourceView[], config: AccessConfig): RbacAnalysis {
  const defs = roleDefs(resources);
  const guarded = protectedNamespaces(resources, config);
  const judged: RbacFinding[] = [];
  const unjudged: RbacFinding[] = [];
  const exposedServiceAccounts = new Map<string, string>();
  for (const b of bindings(resources)) {
    const ns = b.namespace;
    if (b.ref.kind && b.ref.name) {
      const what = exposureOf(b.ref, ns ?? "", defs);
      for (const s of b.subjects.filter((x) => x.kind === "ServiceAccount" && what)) exposedServiceAccounts.set(`${s.namespace ?? ns}/${s.name}`, `${what} (${b.kind} ${objectName(b.r)})`);
    }
    const broad = broadSubjects(b);
    const guardedAs = ns === undefined ? undefined : guarded.get(ns) ?? (isTenantNamespace(ns) ? `tenant namespace ${ns}` : undefined);
    const where = b.kind === "ClusterRoleBinding" ? "in every namespace, tenant namespaces included" : guardedAs ? `in ${guardedAs}` : undefined;
    if (!where && broad.length === 0) continue;
    const scope = where ?? `in namespace ${ns}`;
    const at = `${b.kind}${b.patch ? "Patch" : ""} ${objectName(b.r)}`;
    const subjects = b.subjects.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`);
    const who = broad.length ? `${broad.map((s) => s.name).join(", ")} (everyone in ${broad.length > 1 ? "them" : "it"})` : subjects.join(", ") || "its subjects";
    if (!b.ref.kind || !b.ref.name) {
      unjudged.push({ message: `the pack cannot judge ${at}: it patches a binding without saying which role it binds; state its roleRef`, urn: b.r.urn });
      continue;
    }
    const what = exposureOf(b.ref, ns ?? "", defs);
    if (what === undefined) {
      unjudged.push({ message: `the pack cannot judge ${at}: it binds ${b.ref.kind} ${b.ref.name}, whose rules neither this stack nor the pack knows; check it grants no Secrets, tokens, pods or exec ${scope}`, urn: b.r.urn });
    } else if (what) {
      judged.push({ message: `${at} gives ${who} ${b.ref.kind} ${b.ref.name}, which ${what} ${scope}`, urn: b.r.urn });
    }
  }
  for (const d of defs.filter((x) => x.kind === "ClusterRole")) {
    const into = Object.entries(d.labels).filter(([k, v]) => AGGREGATE_LABEL.test(k) && v === "true").map(([k]) => AGGREGATE_LABEL.exec(k)![2]);
    const what = exposes(d.rules);
    if (into.length && what) {
      judged.push({ message: `ClusterRole${d.patch ? "Patch" : ""} ${d.name} aggregates into ${into.join(", ")} and ${what}: every subject bound to ${into.join(" or ")} anywhere, tenants' own bindings included, gains it`, urn: d.r.urn });
    }
    if (d.patch && BUILTIN_CLUSTER_ROLES[d.name] && what && !BUILTIN_CLUSTER_ROLES[d.name]!.what) {
      judged.push({ message: `ClusterRolePatch ${d.name} changes the built-in ClusterRole ${d.name} so that it ${what}: every binding to it, in any namespace, gains that`, urn: d.r.urn });
    }
  }
  return { judged, unjudged, exposedServiceAccounts };
}

export function rbacAnalysis(resources: readonly ResourceView[], config: AccessConfig): RbacAnalysis {
  return memoized(resources, `rbac:${JSON.stringify(config)}`, (rs) => analyse(rs, config));
}

export const tenantRbac = stackRule<AccessConfig>({
  name: "tenant-rbac",
  description:
    "No RoleBinding in a namespace holding what Vault protects (a tenant's, ESO's, any namespace with a ServiceAccount a Vault role binds or a long-lived token Secret), no ClusterRoleBinding, and no binding to everyone (system:authenticated, system:serviceaccounts…) lets a subject read Secrets, mint ServiceAccount tokens, impersonate, create pods or workloads, exec into pods, or escalate/bind roles there; no ClusterRole aggregates such rules into the built-in view/edit/admin, and no patch adds them to a built-in role. Roles are read from the stack (Roles, ClusterRoles, their patches and aggregation rules) and from the built-in ones the pack knows.",
  configSchema: {},
  check(resources, rawConfig, report) {
    const config = effectiveConfig(accessDefaults(rawConfig), modelOf(resources));
    for (const f of rbacAnalysis(resources, config).judged) report(f.message, f.urn);
  },
});
