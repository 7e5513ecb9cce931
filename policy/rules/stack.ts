// Stack rules: relations between resources that no single resource shows.
import * as naming from "../../model/naming";
import { stackRule } from "../rule";
import { namespaceLabels, selects } from "../../model/labelSelector";
import {
  cesSelectors,
  esoKind,
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

export const uniqueTargetSecrets = stackRule({
  name: "unique-target-secrets",
  description: "No two ExternalSecrets (including those a ClusterExternalSecret fans out) produce the same Secret in one namespace: seed 001's \"two tenants share a Secret\".",
  check(resources, _config, report) {
    const namespaces = resources.filter((r) => r.type === TYPES.namespace).map((r) => metaOf(r));
    const producers = new Map<string, string[]>();
    const add = (ns: string, secret: string, by: string) => {
      const key = `${ns}/${secret}`;
      producers.set(key, [...(producers.get(key) ?? []), by]);
    };
    for (const r of resources) {
      const kind = esoKind(r.type);
      if (kind === "ExternalSecret") {
        const meta = metaOf(r);
        add(meta.namespace ?? "default", specOf<ExternalSecretSpec>(r).target?.name ?? meta.name ?? r.name, r.urn);
      } else if (kind === "ClusterExternalSecret") {
        const spec = specOf<ClusterExternalSecretSpec>(r);
        const secret = spec.externalSecretSpec?.target?.name ?? spec.externalSecretName ?? metaOf(r).name ?? r.name;
        const selection = { selectors: cesSelectors(spec), names: spec.namespaces ?? [], regexes: [] };
        for (const ns of namespaces) {
          if (ns.name && selects(selection, { name: ns.name, labels: namespaceLabels(ns.name, ns.labels ?? {}) })) add(ns.name, secret, r.urn);
        }
      }
    }
    for (const [key, urns] of producers) {
      if (urns.length > 1) report(`Secret ${key} is produced by ${urns.length} ExternalSecrets (${urns.map((u) => u.split("::").pop()).join(", ")}): each team/tenant needs its own Secret name`, urns[1]);
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
    const known = new Set([...resources.filter((r) => r.type === TYPES.policy).map((r) => String(r.props.name)), ...foundationPolicies(resources), "default"]);
    for (const r of resources.filter((x) => x.type === TYPES.role)) {
      const p = r.props as RoleProps;
      const missing = (p.tokenPolicies ?? []).filter((name) => !known.has(name));
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
        .filter((r) => r.type === TYPES.serviceAccount || esoKind(r.type) === "SecretStore")
        .map((r) => `${r.type === TYPES.serviceAccount ? "sa" : "store"}:${metaOf(r).namespace}/${metaOf(r).name}`),
    );
    for (const ns of resources.filter((r) => r.type === TYPES.namespace && metaOf(r).labels?.[naming.TENANT_LABEL] === naming.TENANT_LABEL_VALUE)) {
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
    const policy = resources.find((r) => r.type === TYPES.networkPolicy && metaOf(r).name === naming.EGRESS_POLICY && (!esoNamespace || metaOf(r).namespace === esoNamespace));
    if (!policy) {
      report(`no NetworkPolicy ${naming.EGRESS_POLICY}${esoNamespace ? ` in ${esoNamespace}` : ""}: under a default-deny policy ESO's Vault login hangs`);
      return;
    }
    const spec = (policy.props.spec ?? {}) as { policyTypes?: string[]; egress?: Array<{ to?: Array<{ ipBlock?: { cidr?: string } }>; ports?: unknown[] }> };
    const toVault = (spec.egress ?? []).some((e) => (e.to ?? []).some((t) => t.ipBlock?.cidr) && (e.ports ?? []).length > 0);
    if (!spec.policyTypes?.includes("Egress") || !toVault) report(`${objectName(policy)} must allow Egress to Vault's address block on its port`, policy.urn);
  },
});
