import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../infra/adoption";
import * as naming from "../infra/naming";
import { pullSecretsToApply } from "../infra/pullSecrets";
import type { TenantNamespacePlan } from "../infra/plan";
import { esoResource } from "./esoResource";

export interface TenantNamespaceArgs {
  plan: TenantNamespacePlan;
  /** The division's Vault role: the store cannot log in before it exists. */
  role: pulumi.Resource;
  /** The division canary in Vault, when this stack writes it. */
  canary?: pulumi.Resource;
  adopt: Adoption;
}

/**
 * One tenant namespace `apps-<division>-<app>-<env>`: labelled into the platform, with the
 * `app-eso` ServiceAccount and `vault-apps` SecretStore shipped together (seed 000 failure
 * mode), pull secrets attached to `default`, and a canary ExternalSecret proving the chain.
 */
export class TenantNamespace extends pulumi.ComponentResource {
  constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:tenant:TenantNamespace", name, {}, opts);
    const { plan, adopt } = args;
    const nsImport = adopt.kubernetes("Namespace", plan.namespace);
    const ns = new k8s.core.v1.Namespace(name, { metadata: { name: plan.namespace, labels: plan.labels } }, { parent: this, ...nsImport });
    const namespace = ns.metadata.name;
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-${naming.TENANT_SERVICE_ACCOUNT}`,
      { metadata: { name: naming.TENANT_SERVICE_ACCOUNT, namespace } },
      { parent: this, ...adopt.kubernetes("ServiceAccount", naming.TENANT_SERVICE_ACCOUNT, plan.namespace) },
    );
    const store = esoResource(`${name}-${naming.TENANT_STORE}`, plan.store, { parent: this, dependsOn: [ns, sa, args.role] }, adopt);
    // `imagePullSecrets` is atomic for server-side apply and OpenShift's controller keeps its
    // `default-dockercfg-*` there. In a namespace that already exists, apply the live list with our
    // entries added (and our disabled ones removed), forced: any other value conflicts with the
    // controller, and forcing one that keeps its entries drops nothing (infra/pullSecrets.ts; shown
    // on a real kube-apiserver in test/k8s). A namespace created by this run has no other entries yet.
    const live = nsImport.import
      ? k8s.core.v1.ServiceAccount.get(`${name}-default-live`, `${plan.namespace}/${naming.DEFAULT_SERVICE_ACCOUNT}`, { parent: this, dependsOn: [ns] })
      : undefined;
    const pullSecrets = live ? live.imagePullSecrets.apply((l) => pullSecretsToApply((l ?? []).map((s) => s.name), plan.imagePullSecrets, plan.platformPullSecrets)) : plan.imagePullSecrets;
    new k8s.core.v1.ServiceAccountPatch(
      `${name}-default`,
      {
        metadata: { name: naming.DEFAULT_SERVICE_ACCOUNT, namespace, ...(live ? { annotations: { "pulumi.com/patchForce": "true" } } : {}) },
        imagePullSecrets: pulumi.output(pullSecrets).apply((names) => names.map((s) => ({ name: s }))),
      },
      { parent: this },
    );
    esoResource(`${name}-${naming.TENANT_CANARY}`, plan.canary, { parent: this, dependsOn: [store, ...(args.canary ? [args.canary] : [])] }, adopt);
    this.registerOutputs({ namespace, store: plan.store.metadata.name });
  }
}
