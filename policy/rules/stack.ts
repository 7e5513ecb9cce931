// Stack rules: relations between resources that no single resource shows.
import * as naming from "../../model/naming";
import { modelOf } from "../model";
import { CLUSTER_GENERATOR, INERT_GENERATORS } from "./scoping";
import { stackRule } from "../rule";
import { policyName } from "../vaultPaths";
import { namespaceLabels, selects } from "../../model/labelSelector";
import {
  cesSelectors,
  esoKind,
  intruders,
  kindIn,
  metaOf,
  objectName,
  specOf,
  TYPES,
  type ClusterExternalSecretSpec,
  type ExternalSecretSpec,
  type ResourceView,
  type RoleProps,
  type SecretStoreSpec,
} from "../shapes";

const isEsoStore = (r: ResourceView) => esoKind(r.type) === "SecretStore" || esoKind(r.type) === "ClusterSecretStore";

interface Producer {
  urn: string;
  what: string;
  /** `creationPolicy: Merge`: writes its keys into a Secret someone else creates */
  merge: boolean;
}

export const uniqueTargetSecrets = stackRule({
  name: "unique-target-secrets",
  description:
    "No two producers (ExternalSecrets, the ExternalSecrets a ClusterExternalSecret fans out, Secret resources) make the same Secret in one namespace: seed 001's \"two tenants share a Secret\". An ExternalSecret with creationPolicy Merge into a Secret another object produces is reported on the merger.",
  check(resources, _config, report) {
    const namespaces = [...modelOf(resources).namespaces.values()];
    const producers = new Map<string, Producer[]>();
    const add = (ns: string, secret: string, p: Producer) => {
      const key = `${ns}/${secret}`;
      producers.set(key, [...(producers.get(key) ?? []), p]);
    };
    const merges = (spec: ExternalSecretSpec | undefined) => spec?.target?.creationPolicy === "Merge";
    for (const r of resources) {
      const kind = esoKind(r.type);
      const meta = metaOf(r);
      if (kind === "ExternalSecret") {
        const spec = specOf<ExternalSecretSpec>(r);
        add(meta.namespace ?? "default", spec.target?.name ?? meta.name ?? r.name, { urn: r.urn, what: `ExternalSecret ${objectName(r)}`, merge: merges(spec) });
      } else if (kind === "ClusterExternalSecret") {
        const spec = specOf<ClusterExternalSecretSpec>(r);
        const secret = spec.externalSecretSpec?.target?.name ?? spec.externalSecretName ?? meta.name ?? r.name;
        const selection = { selectors: cesSelectors(spec), names: spec.namespaces ?? [], regexes: [] };
        for (const ns of namespaces) {
          if (selects(selection, { name: ns.name, labels: namespaceLabels(ns.name, ns.labels) })) add(ns.name, secret, { urn: r.urn, what: `ClusterExternalSecret ${objectName(r)}`, merge: merges(spec.externalSecretSpec) });
        }
      } else if (kindIn(r) === "Secret" && meta.name) {
        add(meta.namespace ?? "default", meta.name, { urn: r.urn, what: `Secret resource ${r.urn.split("::").pop()}`, merge: false });
      }
    }
    for (const [key, ps] of producers) {
      if (ps.length < 2) continue;
      const mergers = ps.filter((p) => p.merge);
      for (const m of mergers) {
        const owners = ps.filter((p) => p !== m).map((p) => p.what);
        report(`${m.what} merges (creationPolicy Merge) into Secret ${key}, which ${owners.join(", ")} produce${owners.length > 1 ? "" : "s"}: its keys override or join the owner's, and whoever reads that Secret gets them`, m.urn);
      }
      if (mergers.length > 0) continue;
      for (const p of intruders(ps)) report(`Secret ${key} is produced by ${ps.length} ExternalSecrets or resources (${ps.map((x) => x.urn.split("::").pop()).join(", ")}): each team/tenant needs its own Secret name`, p.urn);
    }
  },
});

/**
 * Policy names the foundation stack provides, from the outputs of the program's
 * FoundationReference component: the engine does not hand StackReference reads to stack policies.
 */
function foundationPolicies(resources: ResourceView[]): string[] {
  return resources.filter((r) => r.type === TYPES.foundationReference).flatMap((r) => (r.props.policies as string[] | undefined) ?? []);
}

export const rolePoliciesExist = stackRule({
  name: "role-policies-exist",
  description: "Every policy a role lists exists in this stack or in the foundation stack it reads.",
  check(resources, _config, report) {
    const known = new Set([...modelOf(resources).policies.map((p) => p.name), ...foundationPolicies(resources).map(policyName), "default"]);
    for (const r of resources.filter((x) => x.type === TYPES.role)) {
      const p = r.props as RoleProps;
      const missing = (p.tokenPolicies ?? []).filter((name) => !known.has(policyName(name)));
      if (missing.length) report(`role "${p.roleName}" lists ${missing.join(", ")}, which neither this stack nor its foundation defines: logins would get a token without them`, r.urn);
    }
  },
});

export const tenantNamespaceComplete = stackRule({
  name: "tenant-namespace-complete",
  description: `Every tenant namespace has its ${naming.TENANT_SERVICE_ACCOUNT} ServiceAccount and ${naming.TENANT_STORE} SecretStore (seed 000: a store without its ServiceAccount is "permission denied").`,
  check(resources, _config, report) {
    const present = new Set(
      resources
        .filter((r) => kindIn(r) === "ServiceAccount" || esoKind(r.type) === "SecretStore")
        .map((r) => `${kindIn(r) === "ServiceAccount" ? "sa" : "store"}:${metaOf(r).namespace}/${metaOf(r).name}`),
    );
    for (const ns of resources.filter((r) => kindIn(r) === "Namespace" && metaOf(r).labels?.[naming.TENANT_LABEL] === naming.TENANT_LABEL_VALUE)) {
      const name = metaOf(ns).name;
      if (!present.has(`sa:${name}/${naming.TENANT_SERVICE_ACCOUNT}`)) report(`tenant namespace ${name} has no ServiceAccount ${naming.TENANT_SERVICE_ACCOUNT}`, ns.urn);
      if (!present.has(`store:${name}/${naming.TENANT_STORE}`)) report(`tenant namespace ${name} has no SecretStore ${naming.TENANT_STORE}`, ns.urn);
    }
  },
});

export const esoEgressPresent = stackRule({
  name: "eso-egress-present",
  description: `A stack with ESO stores ships ${naming.EGRESS_POLICY} (egress to Vault and DNS) in ESO's namespace (seed 000: otherwise the login hangs).`,
  check(resources, _config, report) {
    const css = resources.find((r) => esoKind(r.type) === "ClusterSecretStore");
    if (!resources.some(isEsoStore)) return;
    const esoNamespace = css ? specOf<SecretStoreSpec>(css).provider?.vault?.auth?.kubernetes?.serviceAccountRef?.namespace : undefined;
    const policy = resources.find((r) => kindIn(r, "networking.k8s.io") === "NetworkPolicy" && metaOf(r).name === naming.EGRESS_POLICY && (!esoNamespace || metaOf(r).namespace === esoNamespace));
    if (!policy) {
      report(`no NetworkPolicy ${naming.EGRESS_POLICY}${esoNamespace ? ` in ${esoNamespace}` : ""}: under a default-deny policy ESO's Vault login hangs`);
      return;
    }
    const spec = (policy.props.spec ?? {}) as { policyTypes?: string[]; egress?: Array<{ to?: Array<{ ipBlock?: { cidr?: string } }>; ports?: unknown[] }> };
    const toVault = (spec.egress ?? []).some((e) => (e.to ?? []).some((t) => t.ipBlock?.cidr) && (e.ports ?? []).length > 0);
    if (!spec.policyTypes?.includes("Egress") || !toVault) report(`${objectName(policy)} must allow Egress to Vault's address block on its port`, policy.urn);
  },
});

type PushSpec = {
  selector?: { secret?: { name?: string }; generatorRef?: { kind?: string; name?: string } };
  data?: Array<{ match?: { remoteRef?: { remoteKey?: string } } }>;
};

export const pushedSecretSource = stackRule({
  name: "pushed-secret-source",
  description: `A PushSecret or ClusterPushSecret that writes a Vault key a ClusterExternalSecret fans out pushes a generated value (a generator of kind ${INERT_GENERATORS.join(" or ")}), never a Secret: otherwise whatever that Secret holds (ESO's own tokens, another tenant's credentials) reaches every namespace the distributed secret selects.`,
  check(resources, _config, report) {
    const fanned = new Map<string, string[]>();
    for (const r of resources.filter((x) => esoKind(x.type) === "ClusterExternalSecret")) {
      const es = (specOf<ClusterExternalSecretSpec>(r).externalSecretSpec ?? {}) as Omit<ExternalSecretSpec, "dataFrom"> & { dataFrom?: Array<{ extract?: { key?: string } }> };
      const keys = [...(es.data ?? []).map((d) => d.remoteRef?.key), ...(es.dataFrom ?? []).map((d) => d.extract?.key)].filter((k): k is string => typeof k === "string");
      for (const k of keys) fanned.set(k, [...(fanned.get(k) ?? []), objectName(r)]);
    }
    const clusterGenerators = new Map(resources.filter((r) => r.type === CLUSTER_GENERATOR).map((r) => [metaOf(r).name ?? "", specOf<{ kind?: string }>(r).kind ?? ""]));
    for (const r of resources) {
      const kind = esoKind(r.type);
      if (kind !== "PushSecret" && kind !== "ClusterPushSecret") continue;
      const spec = kind === "PushSecret" ? specOf<PushSpec>(r) : (specOf<{ pushSecretSpec?: PushSpec }>(r).pushSecretSpec ?? {});
      const gen = spec.selector?.generatorRef;
      const genKind = gen?.kind === "ClusterGenerator" ? clusterGenerators.get(gen.name ?? "") : gen?.kind;
      if (gen && INERT_GENERATORS.includes(genKind ?? "")) continue;
      const source = gen ? `generator ${gen.kind} "${gen.name}"` : kind === "ClusterPushSecret" ? `Secret "${spec.selector?.secret?.name}" of every namespace it selects` : `Secret "${spec.selector?.secret?.name}"`;
      for (const d of spec.data ?? []) {
        const key = d.match?.remoteRef?.remoteKey;
        if (key && fanned.has(key)) {
          report(`${kind} ${objectName(r)} writes ${key} from ${source}, and ClusterExternalSecret ${fanned.get(key)!.join(", ")} fans that key into every namespace it selects: what the source holds reaches all of them; push only a ${INERT_GENERATORS.join(" or ")} generator's value there`, r.urn);
        }
      }
    }
  },
});
