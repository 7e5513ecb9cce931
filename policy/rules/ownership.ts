// Which objects a stack may write at all: its own cluster's (auth mount, its config and roles,
// the platform policies and `ocp/<cluster>/` keys of that cluster) and, when it owns its
// foundation, the foundation's; and where the platform's own objects may live.
import * as naming from "../../model/naming";
import { policyHolders } from "../holders";
import { genericData, isGeneric, modelOf, platformServiceAccounts, pushServiceAccounts, rawWriteOf, type StackModel } from "../model";
import { stackRule } from "../rule";
import { esoKind, kindIn, known, metaOf, objectName, specOf, TYPES, type ResourceView } from "../shapes";
import { ACCESS_SCHEMA, effectiveConfig, type AccessConfig } from "./access";
import { classifyPolicy, clusterOfAuthPath, isTenantNamespace } from "./common";
import { bindings } from "./rbac";

/** A write that belongs to some cluster, or to the foundation. */
interface Write {
  what: string;
  cluster?: string;
  foundation?: boolean;
}

const CLUSTER_KEY = new RegExp(`^${naming.platformKeyPrefix("([^/]+)")}`);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The cluster a KV key belongs to, when it is under `ocp/<cluster>/`. */
function keyWrite(key: string | undefined, what: string): Write[] {
  const cluster = key ? CLUSTER_KEY.exec(key.replace(/^\/+/, ""))?.[1] : undefined;
  return cluster ? [{ what: `${what} ${key}`, cluster }] : [];
}

function writesOf(r: ResourceView, model: StackModel, config: AccessConfig): Write[] {
  const prop = (k: string) => str(known(() => r.props[k]));
  const mountWrite = (mount: string | undefined, what: string): Write[] => {
    const cluster = mount === undefined ? undefined : clusterOfMount(mount, model, config);
    return cluster ? [{ what, cluster }] : [];
  };
  const policyWrite = (name: string, what: string): Write[] => {
    const kind = classifyPolicy(name);
    if (kind && "cluster" in kind) return [{ what, cluster: kind.cluster }];
    if ((kind && (kind.kind === "division" || kind.kind === "admin")) || model.foundationPolicies.has(name)) return [{ what, foundation: true }];
    return [];
  };
  switch (r.type) {
    case TYPES.authBackend:
      return mountWrite(prop("path"), `auth mount ${prop("path")}`);
    case "vault:kubernetes/authBackendConfig:AuthBackendConfig":
      return mountWrite(prop("backend") ?? "kubernetes", `the config of auth mount ${prop("backend") ?? "kubernetes"}`);
    case TYPES.role:
      return mountWrite(prop("backend") ?? "kubernetes", `role ${prop("roleName")} on auth mount ${prop("backend") ?? "kubernetes"}`);
    case TYPES.policy: {
      const name = prop("name");
      return name ? policyWrite(name.trim().toLowerCase(), `Vault policy ${name.trim().toLowerCase()}`) : [];
    }
    case TYPES.mount:
      return prop("path") === config.kvMount ? [{ what: `the KV mount ${config.kvMount}`, foundation: true }] : [];
    case TYPES.identityGroup: {
      const name = prop("name");
      return name?.startsWith(naming.adminGroup("")) ? [{ what: `identity group ${name}`, foundation: true }] : [];
    }
    case "vault:kv/secretV2:SecretV2":
      return prop("mount") === config.kvMount ? keyWrite(prop("name"), "KV key") : [];
    case "vault:kv/secret:Secret":
      return keyWrite(prop("path")?.replace(new RegExp(`^${config.kvMount}/(data/)?`), ""), "KV key");
  }
  if (isGeneric(r)) {
    const w = rawWriteOf(r, config.kvMount);
    switch (w.kind) {
      case "auth-enable":
        return mountWrite(w.mount, `auth mount ${w.mount}`);
      case "auth-config":
        return mountWrite(w.mount, `the config of auth mount ${w.mount}`);
      case "auth-role":
      case "auth-member":
        return mountWrite(w.mount, `${"role" in w ? `role ${w.role}` : `${w.what} ${w.name}`} on auth mount ${w.mount}`);
      case "policy":
        return policyWrite(w.name, `Vault policy ${w.name}`);
      case "identity-group": {
        const name = w.name ?? str(genericData(r)?.name);
        return name?.startsWith(naming.adminGroup("")) ? [{ what: `identity group ${name}`, foundation: true }] : [];
      }
      case "kv":
        return keyWrite(w.key, "KV key");
      default:
        return [];
    }
  }
  const kind = esoKind(r.type);
  if (kind === "PushSecret" || kind === "ClusterPushSecret") {
    const spec = specOf<{ data?: PushData[]; pushSecretSpec?: { data?: PushData[] } }>(r);
    return [...(spec.data ?? []), ...(spec.pushSecretSpec?.data ?? [])].flatMap((d) => keyWrite(d.match?.remoteRef?.remoteKey, "KV key (pushed)"));
  }
  return [];
}

type PushData = { match?: { remoteRef?: { remoteKey?: string } } };

/** The cluster an auth mount belongs to: one of this stack's own mounts, a configured path, or `<cluster>-k8s`. */
function clusterOfMount(mount: string, model: StackModel, config: AccessConfig): string | undefined {
  const own = model.clusters.find((c) => c.authPath === mount);
  return own?.cluster ?? clusterOfAuthPath(mount, config);
}

export const clusterOwnership = stackRule<AccessConfig>({
  name: "cluster-ownership",
  description:
    "A stack writes only its own cluster's objects (the cluster its ClusterSecretBridge manages: that cluster's kubernetes auth mount, its config and roles, the platform-<cluster>-*/pipelines-<cluster>-* policies and the ocp/<cluster>/ keys, PushSecrets included), plus the foundation's (KV mount, division and admin policies, admin groups) only when it owns its foundation rather than reading it from a foundation stack. One stack manages one cluster.",
  configSchema: ACCESS_SCHEMA,
  check(resources, rawConfig, report) {
    const model = modelOf(resources);
    const config = effectiveConfig(rawConfig, model);
    const own = [...new Set(model.clusters.map((c) => c.cluster))];
    if (own.length > 1) for (const c of model.clusters.slice(1)) report(`this stack manages clusters ${own.join(", ")}: one stack manages one cluster (each has its own mount, roles and platform keys)`, c.urn);
    const mine = own.length ? `this stack manages cluster ${own.join(", ")}` : "this stack manages no cluster";
    for (const r of resources) {
      for (const w of writesOf(r, model, config)) {
        const at = `${r.type.split(":").pop()} ${r.urn.split("::").pop()}`;
        if (w.cluster !== undefined && !own.includes(w.cluster)) {
          report(`${at} writes ${w.what}, which belongs to cluster ${w.cluster}; ${mine}: a stack writes only its own cluster's mount, config, roles, policies and ${naming.platformKeyPrefix("<cluster>")} keys, and another cluster's stack overwrites them back`, r.urn);
        } else if (w.foundation && model.foundationStack) {
          report(`${at} writes ${w.what}, which the foundation stack ${model.foundationStack} owns; this stack reads its foundation, so both would manage it`, r.urn);
        }
      }
    }
  },
});

/** Namespaces that are not the platform's: tenants', and those every user may create things in. */
const SHARED_NAMESPACES = new Set(["default", "kube-public", "kube-node-lease"]);

interface PlacementConfig extends AccessConfig {
  platformNamespaces: string[];
}

export const platformNamespace = stackRule<PlacementConfig>({
  name: "platform-namespace",
  description:
    "The platform's own objects live only in platform namespaces: the token reviewer ServiceAccount and its token Secret, every ServiceAccount bound to system:auth-delegator, every long-lived ServiceAccount token Secret, ESO's egress NetworkPolicy, the ServiceAccounts the platform and PushSecret stores (and pipelines) log in to Vault as, and the stores that name them. A tenant namespace (apps-… or labelled apps.platform/tenant), default, kube-public and kube-node-lease are not platform namespaces; platformNamespaces, when set, lists the only ones that are.",
  configSchema: {
    ...ACCESS_SCHEMA,
    platformNamespaces: { type: "array", items: { type: "string" }, description: "when non-empty, the only namespaces platform objects may live in (e.g. [external-secrets, openshift-pipelines])", default: [] },
  },
  check(resources, rawConfig, report) {
    const model = modelOf(resources);
    const config = effectiveConfig(rawConfig, model);
    const notPlatform = (ns: string): string | undefined => {
      if (config.platformNamespaces.length) return config.platformNamespaces.includes(ns) ? undefined : `namespace ${ns}, which is not among platformNamespaces`;
      if (model.tenants.has(ns) || isTenantNamespace(ns)) return `tenant namespace ${ns}, whose users can mint its ServiceAccounts' tokens and read its Secrets`;
      return SHARED_NAMESPACES.has(ns) ? `namespace ${ns}, which every user of the cluster shares` : undefined;
    };
    const platform = new Map<string, string>();
    const mark = (ns: string | undefined, name: string | undefined, why: string) => ns && name && !platform.has(`${ns}/${name}`) && platform.set(`${ns}/${name}`, why);
    // A platform identity is one that holds a platform policy, wherever it was put.
    for (const h of policyHolders(resources, config)) {
      if (!h.serviceAccount) continue;
      const held = h.policies.find((p) => ["platform", "push", "pipelines"].includes(classifyPolicy(p.name)?.kind ?? ""));
      if (held) mark(h.serviceAccount.namespace, h.serviceAccount.name, `holds the platform policy ${held.name} (${h.grantedBy})`);
    }
    for (const sa of platformServiceAccounts(resources)) mark(sa.namespace, sa.name, "is the ServiceAccount the platform store logs in as");
    for (const sa of pushServiceAccounts(resources)) mark(sa.namespace, sa.name, "is the ServiceAccount the PushSecret store logs in as");
    for (const b of bindings(resources).filter((x) => x.ref.kind === "ClusterRole" && x.ref.name === "system:auth-delegator")) {
      for (const s of b.subjects.filter((x) => x.kind === "ServiceAccount")) {
        mark(s.namespace ?? b.namespace, s.name, "is bound to system:auth-delegator (it reviews every token of the cluster)");
        const where = notPlatform(s.namespace ?? b.namespace ?? "default");
        if (where) report(`${b.kind} ${objectName(b.r)} binds system:auth-delegator to ServiceAccount ${s.namespace}/${s.name} in ${where}: the reviewer belongs in a platform namespace`, b.r.urn);
      }
    }
    for (const r of resources) {
      const m = metaOf(r);
      const ns = m.namespace ?? "default";
      const where = notPlatform(ns);
      if (!where) continue;
      const kind = kindIn(r);
      if (kind === "ServiceAccount" && platform.has(`${ns}/${m.name}`)) {
        report(`ServiceAccount ${ns}/${m.name} ${platform.get(`${ns}/${m.name}`)}, but lives in ${where}: platform identities live only in platform namespaces`, r.urn);
      } else if (kind === "Secret" && r.props.type === "kubernetes.io/service-account-token") {
        report(`Secret ${ns}/${m.name} is a long-lived token of ServiceAccount ${m.annotations?.["kubernetes.io/service-account.name"] ?? "?"} in ${where}: platform credentials live only in platform namespaces`, r.urn);
      } else if (kindIn(r, "networking.k8s.io") === "NetworkPolicy" && m.name === naming.EGRESS_POLICY) {
        report(`NetworkPolicy ${ns}/${m.name} opens egress to Vault from ${where}: it belongs in ESO's namespace`, r.urn);
      } else if (esoKind(r.type) === "SecretStore" && platform.has(`${ns}/${specOf<{ provider?: { vault?: { auth?: { kubernetes?: { serviceAccountRef?: { name?: string } } } } } }>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef?.name}`)) {
        report(`SecretStore ${ns}/${m.name} logs in as a platform identity from ${where}: anyone who can create ExternalSecrets there reads what the platform reads`, r.urn);
      }
    }
    for (const r of resources.filter((x) => esoKind(x.type) === "ClusterSecretStore")) {
      const ref = specOf<{ provider?: { vault?: { auth?: { kubernetes?: { serviceAccountRef?: { name?: string; namespace?: string } } } } } }>(r).provider?.vault?.auth?.kubernetes?.serviceAccountRef;
      const where = ref?.namespace ? notPlatform(ref.namespace) : undefined;
      if (where) report(`ClusterSecretStore ${objectName(r)} logs in as ServiceAccount ${ref!.namespace}/${ref!.name} in ${where}: the platform's Vault identity would be in that namespace's hands`, r.urn);
    }
  },
});
