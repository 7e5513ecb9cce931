// Rules on what Kubernetes objects route to or expose: namespace selection, store references
// and logins, CI robots, RBAC over tenant Secrets, and one manager per object.
import * as naming from "../../model/naming";
import { modelOf, isGeneric, POLICY_PATH, type KubernetesRole, type StackModel } from "../model";
import { namespaceLabels, selects, selectsWithout, type LabelSelector, type NamespaceSelection } from "../../model/labelSelector";
import { stackRule } from "../rule";
import { esoKind, intruders, kindIn, kubernetesType, metaOf, objectName, specOf, TYPES, type ClusterExternalSecretSpec, type ResourceView, type SecretStoreSpec, type StoreRef, type VaultStoreProvider } from "../shapes";
import { effectiveConfig, KV_SCHEMA, type AccessConfig } from "./access";
import { CI_ROBOT_KEY, teamOfCiSecret } from "./common";
import { accessDefaults } from "../allowance";
import { CLUSTER_GENERATOR, INERT_GENERATORS } from "./scoping";
import { policyHolders } from "../holders";
import { policyName } from "../vaultPaths";

interface Selection {
  what: string;
  /** undefined: the object reaches every namespace */
  selection?: NamespaceSelection;
}

function selectionsOf(r: ResourceView): Selection[] {
  const kind = esoKind(r.type);
  const at = `${kind} ${objectName(r)}`;
  if (kind === "ClusterExternalSecret") {
    const spec = specOf<ClusterExternalSecretSpec>(r);
    return [{ what: at, selection: { selectors: [...(spec.namespaceSelectors ?? []), ...(spec.namespaceSelector ? [spec.namespaceSelector] : [])], names: spec.namespaces ?? [], regexes: [] } }];
  }
  if (kind === "ClusterPushSecret") {
    const spec = specOf<{ namespaceSelectors?: LabelSelector[] }>(r);
    return [{ what: at, selection: { selectors: spec.namespaceSelectors ?? [], names: [], regexes: [] } }];
  }
  if (kind === "ClusterSecretStore") {
    const conditions = specOf<SecretStoreSpec>(r).conditions ?? [];
    if (conditions.length === 0) return [{ what: `${at} (no conditions)` }];
    return conditions.map((c, i) => ({
      what: `${at} conditions[${i}]`,
      selection: { selectors: c.namespaceSelector ? [c.namespaceSelector] : [], names: c.namespaces ?? [], regexes: c.namespaceRegexes ?? [] },
    }));
  }
  return [];
}

/** Namespaces of the platform itself that a selection must never reach, with the labels the cluster gives them. */
function platformNamespaces(resources: readonly ResourceView[], model: StackModel): string[] {
  const eso = resources
    .filter((r) => esoKind(r.type) === "ClusterSecretStore")
    .map((r) => specOf<SecretStoreSpec>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef?.namespace)
    .filter((n): n is string => typeof n === "string");
  const declared = [...model.namespaces.keys()].filter((n) => !model.tenants.has(n));
  return [...new Set([...eso, "external-secrets", naming.PIPELINES_NAMESPACE, "openshift-config", "openshift-monitoring", "kube-system", "kube-public", "default", ...declared])];
}

const TENANT = naming.TENANT_LABEL;

export const namespaceSelection = stackRule({
  name: "namespace-selection",
  description: `ClusterSecretStore conditions, ClusterExternalSecret and ClusterPushSecret selections reach only namespaces labelled ${TENANT}: "true", judged with Kubernetes selector semantics against the tenant namespaces, the platform's own and any namespace created later with any labels.`,
  check(resources, _config, report) {
    const model = modelOf(resources);
    const platform = platformNamespaces(resources, model);
    const labelsOf = (name: string) => namespaceLabels(name, model.namespaces.get(name)?.labels ?? {});
    for (const r of resources) {
      for (const { what, selection } of selectionsOf(r)) {
        if (!selection) {
          report(`${what} can be used from every namespace: add conditions selecting ${TENANT}: "true"`, r.urn);
          continue;
        }
        for (const [i, s] of selection.selectors.entries()) {
          const w = s ? selectsWithout(s, TENANT, naming.TENANT_LABEL_VALUE) : undefined;
          if (!w) continue;
          const hit = platform.find((n) => selects({ selectors: [s], names: [], regexes: [] }, { name: n, labels: labelsOf(n) }));
          report(
            `${what} selector ${i} ${JSON.stringify(s)} selects namespaces without ${TENANT}: "true": ${hit ? `it selects ${hit}` : `any namespace labelled ${JSON.stringify(w)}`}`,
            r.urn,
          );
        }
        for (const name of selection.names) {
          if (!model.tenants.has(name)) report(`${what} lists namespace ${name}, which this stack does not declare with ${TENANT}: "true"`, r.urn);
        }
        for (const re of selection.regexes) {
          const exact = /^\^([a-z0-9-]+)\$$/.exec(re);
          if (exact && model.tenants.has(exact[1]!)) continue;
          const hit = platform.find((n) => selects({ selectors: [], names: [], regexes: [re] }, { name: n, labels: {} }));
          report(`${what} namespaceRegexes "${re}" matches names anyone creating a namespace chooses${hit ? `, ${hit} among them` : ""}: select by ${TENANT}: "true" instead`, r.urn);
        }
      }
    }
  },
});

/** Every store an ESO object reads or writes through, per item included. */
function storeRefs(r: ResourceView): StoreRef[] {
  const kind = esoKind(r.type);
  const spec = (r.props.spec ?? {}) as {
    secretStoreRef?: StoreRef;
    secretStoreRefs?: Array<StoreRef & { labelSelector?: unknown }>;
    data?: Array<{ sourceRef?: { storeRef?: StoreRef } }>;
    dataFrom?: Array<{ sourceRef?: { storeRef?: StoreRef } }>;
  };
  if (kind === "ExternalSecret") {
    return [
      ...(spec.secretStoreRef ? [spec.secretStoreRef] : []),
      ...[...(spec.data ?? []), ...(spec.dataFrom ?? [])].map((d) => d.sourceRef?.storeRef).filter((s): s is StoreRef => s !== undefined),
    ];
  }
  if (kind === "PushSecret") return (spec.secretStoreRefs ?? []).map((s) => (s.labelSelector && !s.name ? { kind: s.kind ?? "SecretStore", name: `<selected by ${JSON.stringify(s.labelSelector)}>` } : s));
  return [];
}

/** Generators an ExternalSecret or PushSecret takes values from. */
function generatorRefs(r: ResourceView): Array<{ kind?: string; name?: string }> {
  const spec = (r.props.spec ?? {}) as { dataFrom?: Array<{ sourceRef?: { generatorRef?: { kind?: string; name?: string } } }>; selector?: { generatorRef?: { kind?: string; name?: string } } };
  const kind = esoKind(r.type);
  if (kind === "ExternalSecret") return (spec.dataFrom ?? []).map((d) => d.sourceRef?.generatorRef).filter((g): g is { kind?: string; name?: string } => g !== undefined);
  if (kind === "PushSecret") return spec.selector?.generatorRef ? [spec.selector.generatorRef] : [];
  return [];
}

export const storeRouting = stackRule({
  name: "store-routing",
  description: `Every store reference of an ExternalSecret (spec and per-item sourceRef.storeRef) or PushSecret in a tenant namespace is its SecretStore ${naming.TENANT_STORE}, and in ${naming.PIPELINES_NAMESPACE} ${naming.PIPELINES_STORE}; a ClusterGenerator they read is one of this stack's of kind ${INERT_GENERATORS.join(" or ")}; the only ClusterSecretStore is ${naming.PLATFORM_STORE}.`,
  check(resources, _config, report) {
    const model = modelOf(resources);
    const clusterGenerators = new Map(resources.filter((r) => r.type === CLUSTER_GENERATOR).map((r) => [metaOf(r).name ?? "", specOf<{ kind?: string }>(r).kind ?? ""]));
    for (const r of resources) {
      const kind = esoKind(r.type);
      if (kind === "ClusterSecretStore" && metaOf(r).name !== naming.PLATFORM_STORE) {
        report(`ClusterSecretStore "${metaOf(r).name}": the only cluster-wide store is ${naming.PLATFORM_STORE}; tenants get a namespaced ${naming.TENANT_STORE} (seed 000)`, r.urn);
      }
      const ns = metaOf(r).namespace ?? "default";
      const expected = model.tenants.has(ns) || ns.startsWith(naming.TENANT_NAMESPACE_PREFIX) ? naming.TENANT_STORE : ns === naming.PIPELINES_NAMESPACE ? naming.PIPELINES_STORE : undefined;
      if (!expected) continue;
      for (const ref of storeRefs(r)) {
        if ((ref.kind ?? "SecretStore") !== "SecretStore" || ref.name !== expected) {
          report(`${kind} ${objectName(r)} reads through ${ref.kind ?? "SecretStore"} "${ref.name}"; in ${ns} every reference must be SecretStore ${expected}, whose role reads only what this namespace may`, r.urn);
        }
      }
      for (const gen of generatorRefs(r)) {
        if (gen.kind === "ClusterGenerator" && !INERT_GENERATORS.includes(clusterGenerators.get(gen.name ?? "") ?? "")) {
          report(`${kind} ${objectName(r)} reads ClusterGenerator "${gen.name}", ${clusterGenerators.has(gen.name ?? "") ? `of kind ${clusterGenerators.get(gen.name ?? "")}, which logs in somewhere itself` : "which this stack does not define"}; in ${ns} a generator is ${INERT_GENERATORS.join(" or ")}, or the namespace's own`, r.urn);
        }
      }
    }
  },
});

type KvConfig = Pick<AccessConfig, "kvMount">;

interface PrimaryConfig {
  primaryServers: string[];
}

const sameServer = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

export const pushToPrimary = stackRule<PrimaryConfig>({
  name: "push-to-primary",
  description:
    "Every store a PushSecret or ClusterPushSecret writes through is a Vault store of this stack whose server is the primary (seed 003: pull locally, write to the primary; a replica refuses writes). The primary is primaryServers, or else the address of this stack's Vault provider, which Pulumi itself writes to.",
  configSchema: {
    primaryServers: { type: "array", items: { type: "string" }, description: "Vault addresses that accept writes; default: the stack's vault provider address", default: [] },
  },
  check(resources, config, report) {
    const providers = resources.filter((r) => r.type === "pulumi:providers:vault").map((r) => r.props.address).filter((a): a is string => typeof a === "string");
    const primaries = config.primaryServers.length ? config.primaryServers : providers;
    const stores = resources.filter((r) => esoKind(r.type) === "SecretStore" || esoKind(r.type) === "ClusterSecretStore");
    const find = (kind: string, name: string, namespace: string | undefined) =>
      stores.find((s) => esoKind(s.type) === kind && metaOf(s).name === name && (kind === "ClusterSecretStore" || (metaOf(s).namespace ?? "default") === namespace));
    for (const r of resources) {
      const kind = esoKind(r.type);
      if (kind !== "PushSecret" && kind !== "ClusterPushSecret") continue;
      const spec = specOf<{ secretStoreRefs?: Array<StoreRef & { labelSelector?: unknown }>; pushSecretSpec?: { secretStoreRefs?: Array<StoreRef & { labelSelector?: unknown }> } }>(r);
      const refs = (kind === "PushSecret" ? spec.secretStoreRefs : spec.pushSecretSpec?.secretStoreRefs) ?? [];
      const at = `${kind} ${objectName(r)}`;
      for (const ref of refs) {
        if (!ref.name) {
          report(`${at} selects its stores by label ${JSON.stringify(ref.labelSelector ?? {})}: name the primary's store, so a replica store can never be among them`, r.urn);
          continue;
        }
        const refKind = ref.kind ?? "SecretStore";
        if (kind === "ClusterPushSecret" && refKind !== "ClusterSecretStore") {
          report(`${at} writes through SecretStore "${ref.name}" in every namespace it selects: the pack cannot tell which server each is; write through one store of this stack on the primary`, r.urn);
          continue;
        }
        const store = find(refKind, ref.name, metaOf(r).namespace ?? "default");
        const server = store ? specOf<SecretStoreSpec>(store).provider?.vault?.server : undefined;
        if (!store || server === undefined) {
          report(`${at} writes through ${refKind} "${ref.name}", which is not a Vault store of this stack: the pack cannot tell it is the primary`, r.urn);
        } else if (primaries.length === 0) {
          report(`${at} writes through ${objectName(store)} at ${server}, but no primary is known: set this rule's primaryServers`, r.urn);
        } else if (!primaries.some((p) => sameServer(p, server))) {
          report(`${at} writes through ${refKind} ${objectName(store)} at ${server}, a read replica: PushSecrets write only to the primary (${primaries.join(", ")}); seed 003: replicas refuse writes`, r.urn);
        }
      }
    }
  },
});

/** A glob as Vault's kubernetes auth matches bound names: `*` anywhere. */
function globMatches(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  return new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);
}

function binds(role: KubernetesRole, namespace: string, sa: string): boolean {
  return role.names.some((n) => globMatches(n, sa)) && role.namespaces.some((n) => globMatches(n, namespace));
}

/** Vault stores and generators with their own login: SecretStore, ClusterSecretStore, VaultDynamicSecret (namespaced or a ClusterGenerator of that kind). */
function vaultLogins(r: ResourceView): { vault: VaultStoreProvider; generator?: "namespaced" | "cluster" } | undefined {
  const kind = esoKind(r.type);
  if (kind === "SecretStore" || kind === "ClusterSecretStore") return { vault: specOf<SecretStoreSpec>(r).provider?.vault ?? {} };
  if (kindIn(r, "generators.external-secrets.io") === "VaultDynamicSecret") return { vault: specOf<{ provider?: VaultStoreProvider }>(r).provider ?? {}, generator: "namespaced" };
  if (r.type === CLUSTER_GENERATOR && specOf<{ kind?: string }>(r).kind === "VaultDynamicSecret") {
    return { vault: specOf<{ generator?: { vaultDynamicSecretSpec?: { provider?: VaultStoreProvider } } }>(r).generator?.vaultDynamicSecretSpec?.provider ?? {}, generator: "cluster" };
  }
  return undefined;
}

export const storeLoginBinding = stackRule<KvConfig>({
  name: "store-login-binding",
  description:
    "Every Vault store (and VaultDynamicSecret generator) logs in with a kubernetes auth role of this stack that binds the store's own namespace and ServiceAccount with the store's audience, on a mount this stack defines; its path is the KV mount and its version v2 (seed 000: otherwise `permission denied`). A generator never logs in as the platform's, the PushSecret store's or the pipelines' ServiceAccount (whoever references it receives what it reads), and no ClusterGenerator of kind VaultDynamicSecret lends a login to every namespace.",
  configSchema: KV_SCHEMA,
  check(resources, rawConfig, report) {
    const model = modelOf(resources);
    const config = effectiveConfig(rawConfig, model);
    const privileged = new Map(
      policyHolders(resources, accessDefaults({ kvMount: config.kvMount }))
        .filter((h) => h.serviceAccount && ["platform", "push", "pipelines"].includes(h.allowance.kind))
        .map((h) => [`${h.serviceAccount!.namespace}/${h.serviceAccount!.name}`, h.allowance.kind]),
    );
    for (const s of resources) {
      const login = vaultLogins(s);
      if (!login) continue;
      const vault = login.vault;
      const at = `${esoKind(s.type) ?? kindIn(s, "generators.external-secrets.io") ?? s.type.split(":").pop()} ${objectName(s)}`;
      if (login.generator === "cluster") {
        report(`${at} is a ClusterGenerator of kind VaultDynamicSecret: every namespace that references it gets what its Vault login reads; use a namespaced VaultDynamicSecret where it is needed`, s.urn);
        continue;
      }
      const auth = vault.auth?.kubernetes;
      if (!auth) {
        report(`${at} is not a Vault store with kubernetes auth: the platform's principals are ServiceAccounts bound by kubernetes auth roles`, s.urn);
        continue;
      }
      if (vault.path !== undefined && vault.path !== config.kvMount) report(`${at} reads mount "${vault.path}", not the KV mount ${config.kvMount}`, s.urn);
      if ((vault.version ?? "v2") !== "v2") report(`${at} uses KV version ${vault.version} on the KV v2 mount ${config.kvMount}: ESO would read ${config.kvMount}/<key> without data/, which no role can read`, s.urn);
      const mount = auth.mountPath ?? "kubernetes";
      if (!model.authMounts.has(mount)) {
        report(`${at} logs in at auth mount "${mount}", which this stack does not define`, s.urn);
        continue;
      }
      const role = model.kubernetesRoles.find((r) => r.mount === mount && r.role === auth.role);
      if (!role) {
        report(`${at} uses role "${auth.role}" on ${mount}, which this stack does not define: every login would be refused`, s.urn);
        continue;
      }
      const sa = auth.serviceAccountRef;
      const ns = esoKind(s.type) === "ClusterSecretStore" ? sa?.namespace : (metaOf(s).namespace ?? "default");
      if (!sa?.name || !ns) {
        report(`${at} names no ServiceAccount (and, for a ClusterSecretStore, its namespace) to log in as`, s.urn);
        continue;
      }
      if (!binds(role, ns, sa.name)) {
        report(`${at} logs in as ${ns}/${sa.name} with role ${mount}/${role.role}, which binds ${JSON.stringify(role.names)} in ${JSON.stringify(role.namespaces)}: Vault answers "permission denied" (seed 000)`, s.urn);
      } else if (login.generator && privileged.has(`${ns}/${sa.name}`)) {
        report(`${at} logs in as ${ns}/${sa.name}, the ${privileged.get(`${ns}/${sa.name}`)} principal, with role ${mount}/${role.role}: any ExternalSecret referencing the generator copies what that identity reads (or mints, through method and path) into its own Secret`, s.urn);
      }
      const audiences = sa.audiences ?? [];
      if (role.audience && !audiences.includes(role.audience)) {
        report(`${at} mints its token for audiences ${JSON.stringify(audiences)} but role ${mount}/${role.role} expects audience "${role.audience}": every login fails`, s.urn);
      }
    }
  },
});

export const ciSecretOwner = stackRule({
  name: "ci-secret-owner",
  description: `A ${naming.ciSecret("<team>")} ExternalSecret in ${naming.PIPELINES_NAMESPACE} reads only the robot of the tenant whose namespaces carry ${naming.TEAM_LABEL}: <team>.`,
  check(resources, _config, report) {
    const model = modelOf(resources);
    for (const r of resources) {
      if (esoKind(r.type) !== "ExternalSecret" || metaOf(r).namespace !== naming.PIPELINES_NAMESPACE) continue;
      const team = teamOfCiSecret(metaOf(r).name ?? "");
      if (!team) continue;
      const owners = [...new Set([...model.tenants.values()].filter((t) => t.team === team && t.division && t.app).map((t) => naming.ciRobotKey(t.division!, t.app!)))];
      const spec = specOf<{ data?: Array<{ remoteRef?: { key?: string } }>; dataFrom?: unknown[] }>(r);
      if (owners.length !== 1) {
        report(`${objectName(r)}: ${owners.length ? `several tenants claim team ${team} (${owners.join(", ")})` : `no tenant namespace on this cluster carries ${naming.TEAM_LABEL}: ${team}`}, so no robot belongs to it`, r.urn);
        continue;
      }
      if ((spec.dataFrom ?? []).length) report(`${objectName(r)} uses dataFrom; a CI secret reads named fields of ${owners[0]}`, r.urn);
      for (const d of spec.data ?? []) {
        const key = d.remoteRef?.key ?? "";
        if (key !== owners[0] && CI_ROBOT_KEY.test(key)) report(`${objectName(r)} reads ${key}, another tenant's robot: team ${team} owns ${owners[0]}`, r.urn);
        else if (key !== owners[0]) report(`${objectName(r)} reads ${key}; team ${team}'s secret may read only ${owners[0]}`, r.urn);
      }
    }
  },
});

/** Kinds that exist once per cluster rather than per namespace. */
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterSecretStore", "ClusterExternalSecret", "ClusterPushSecret", "ClusterGenerator", "CustomResourceDefinition", "PersistentVolume", "StorageClass", "Node"]);

/** The Vault path or Kubernetes object (kind, namespace, name) a resource manages, if it owns one outright. */
function identity(r: ResourceView): string | undefined {
  const p = r.props;
  const s = (k: string) => (typeof p[k] === "string" ? (p[k] as string).replace(/^\/+|\/+$/g, "") : undefined);
  const k8s = kubernetesType(r.type);
  if (r.type.startsWith("kubernetes:") && k8s) {
    if (k8s.kind.endsWith("Patch") || k8s.kind.endsWith("List") || !metaOf(r).name) return undefined;
    return `kubernetes ${k8s.group ? `${k8s.group}/` : ""}${k8s.kind} ${CLUSTER_SCOPED.has(k8s.kind) ? "" : `${metaOf(r).namespace ?? "default"}/`}${metaOf(r).name}`;
  }
  switch (r.type) {
    case TYPES.policy:
      return s("name") && `vault sys/policies/acl/${policyName(s("name")!)}`;
    case TYPES.mount:
      return s("path") && `vault sys/mounts/${s("path")}`;
    case TYPES.authBackend:
      return s("path") && `vault sys/auth/${s("path")}`;
    case TYPES.identityGroup:
      return s("name") && `vault identity/group/name/${s("name")}`;
    case "vault:identity/entity:Entity":
      return s("name") && `vault identity/entity/name/${s("name")}`;
    case "vault:kv/secretV2:SecretV2":
      return s("mount") && s("name") && `vault ${s("mount")}/data/${s("name")}`;
    case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
      return `vault auth/${s("backend") ?? "kubernetes"}/config`;
  }
  if (isGeneric(r)) {
    const path = s("path");
    if (!path) return undefined;
    const policy = POLICY_PATH.exec(path);
    return `vault ${policy ? `sys/policies/acl/${policyName(policy[1]!)}` : path}`;
  }
  if (r.type.startsWith("vault:") && s("roleName")) return `vault auth/${s("backend") ?? r.type.split(":")[1]!.split("/")[0]}/role/${s("roleName")}`;
  return undefined;
}

export const singleOwner = stackRule({
  name: "single-owner",
  description: "No two resources manage one Vault path (policy, role, mount, group, raw write) or one Kubernetes object (kind, namespace, name): the second silently overwrites the first on every update.",
  check(resources, _config, report) {
    const owners = new Map<string, ResourceView[]>();
    for (const r of resources) {
      const id = identity(r);
      if (id) owners.set(id, [...(owners.get(id) ?? []), r]);
    }
    for (const [id, rs] of owners) {
      if (rs.length < 2) continue;
      for (const r of intruders(rs)) report(`${id} is managed by ${rs.length} resources (${rs.map((x) => x.urn.split("::").pop()).join(", ")}): each update of one overwrites the other`, r.urn);
    }
  },
});
