// Who runs as a privileged ServiceAccount: workloads (whatever type registered them) and
// long-lived token Secrets are judged by the identity they carry and the namespace they sit in.
import * as naming from "../../model/naming";
import { vaultServiceAccounts } from "../holders";
import { modelOf, platformServiceAccounts, pushServiceAccounts } from "../model";
import { stackRule } from "../rule";
import { kindIn, metaOf, objectName, type ResourceView } from "../shapes";
import { effectiveConfig } from "./access";
import { accessDefaults } from "../allowance";
import { bindings, rbacAnalysis } from "./rbac";

export interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  containers?: Container[];
  initContainers?: Container[];
}

export interface Container {
  name?: string;
  env?: Array<{ name?: string; value?: unknown }>;
}

/** Kinds that run pods, and where their pod spec sits. */
const WORKLOADS: Record<string, Record<string, (spec: Record<string, unknown>) => PodSpec | undefined>> = {
  "": { Pod: (s) => s as PodSpec, ReplicationController: (s) => template(s) },
  apps: { Deployment: template, StatefulSet: template, DaemonSet: template, ReplicaSet: template },
  batch: {
    Job: template,
    CronJob: (s) => template(((s.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>),
  },
};

function template(spec: Record<string, unknown>): PodSpec | undefined {
  return (spec.template as { spec?: PodSpec } | undefined)?.spec;
}

/** The pod spec of a workload, whatever its kind and type token; undefined for anything else. */
export function podSpecOf(r: ResourceView): PodSpec | undefined {
  for (const [group, kinds] of Object.entries(WORKLOADS)) {
    const kind = kindIn(r, group);
    if (kind && kinds[kind]) return kinds[kind]!((r.props.spec ?? {}) as Record<string, unknown>) ?? {};
  }
  return undefined;
}

export const serviceAccountUse = stackRule({
  name: "service-account-use",
  description:
    "No workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, by any type token) runs as a ServiceAccount a Vault role binds (a tenant's app-eso, ESO's own, the push or pipelines account), or at all in a namespace holding the platform's credentials (ESO's, the reviewer's), where it could mount them; and no long-lived token Secret (kubernetes.io/service-account-token) is minted for a ServiceAccount that logs in to Vault or that a binding of the stack lets read Secrets.",
  check(resources, _config, report) {
    const config = effectiveConfig(accessDefaults({}), modelOf(resources));
    const vault = new Map(vaultServiceAccounts(resources, config).map((s) => [`${s.namespace}/${s.name}`, s.what]));
    const exposed = rbacAnalysis(resources, config).exposedServiceAccounts;
    // Namespaces whose Secrets are platform credentials: ESO's stores' and the reviewer's.
    const credentialNamespaces = new Map<string, string>();
    for (const sa of [...platformServiceAccounts(resources), ...pushServiceAccounts(resources)]) credentialNamespaces.set(sa.namespace, `ESO's namespace (${sa.name} logs in to Vault there)`);
    for (const b of bindings(resources).filter((x) => x.ref.kind === "ClusterRole" && x.ref.name === "system:auth-delegator")) {
      for (const s of b.subjects.filter((x) => x.kind === "ServiceAccount" && x.namespace)) if (!credentialNamespaces.has(s.namespace!)) credentialNamespaces.set(s.namespace!, `the namespace of the token reviewer ${s.name}`);
    }
    for (const r of resources) {
      const m = metaOf(r);
      const ns = m.namespace ?? "default";
      const pod = podSpecOf(r);
      if (pod) {
        const sa = pod.serviceAccountName ?? pod.serviceAccount ?? naming.DEFAULT_SERVICE_ACCOUNT;
        const at = `${kindIn(r) ?? r.type.split(":").pop()} ${objectName(r)}`;
        if (vault.has(`${ns}/${sa}`)) report(`${at} runs as ServiceAccount ${ns}/${sa}, which ${vault.get(`${ns}/${sa}`)}: the workload holds that identity and reads what it reads`, r.urn);
        else if (credentialNamespaces.has(ns)) report(`${at} runs in ${credentialNamespaces.get(ns)}, where any pod can mount the platform's token Secrets: run it elsewhere`, r.urn);
        continue;
      }
      if (kindIn(r) === "Secret" && r.props.type === "kubernetes.io/service-account-token") {
        const sa = m.annotations?.["kubernetes.io/service-account.name"] ?? "";
        const why = vault.get(`${ns}/${sa}`) ?? exposed.get(`${ns}/${sa}`);
        if (why) report(`Secret ${objectName(r)} is a long-lived, never-expiring token of ServiceAccount ${ns}/${sa}, which ${why}: whoever reads this Secret holds that identity`, r.urn);
      }
    }
  },
});
