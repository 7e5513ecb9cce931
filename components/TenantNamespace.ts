import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../infra/naming";
import type { TenantNamespacePlan } from "../infra/plan";
import { esoResource } from "./esoResource";

export interface TenantNamespaceArgs {
  plan: TenantNamespacePlan;
  /** The division's Vault role: the store cannot log in before it exists. */
  role: pulumi.Resource;
  /** The division canary in Vault, when this stack writes it. */
  canary?: pulumi.Resource;
}

/**
 * One tenant namespace `apps-<division>-<app>-<env>`: labelled into the platform, with the
 * `app-eso` ServiceAccount and `vault-apps` SecretStore shipped together (seed 000 failure
 * mode), pull secrets attached to `default`, and a canary ExternalSecret proving the chain.
 */
export class TenantNamespace extends pulumi.ComponentResource {
  constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:tenant:TenantNamespace", name, {}, opts);
    const { plan } = args;
    const ns = new k8s.core.v1.Namespace(name, { metadata: { name: plan.namespace, labels: plan.labels } }, { parent: this });
    const namespace = ns.metadata.name;
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-${naming.TENANT_SERVICE_ACCOUNT}`,
      { metadata: { name: naming.TENANT_SERVICE_ACCOUNT, namespace } },
      { parent: this },
    );
    const store = esoResource(`${name}-${naming.TENANT_STORE}`, plan.store, { parent: this, dependsOn: [ns, sa, args.role] });
    // Server-side apply patch: takes ownership of imagePullSecrets only; `default` is not replaced.
    new k8s.core.v1.ServiceAccountPatch(
      `${name}-default`,
      { metadata: { name: naming.DEFAULT_SERVICE_ACCOUNT, namespace }, imagePullSecrets: plan.imagePullSecrets.map((s) => ({ name: s })) },
      { parent: this },
    );
    esoResource(`${name}-${naming.TENANT_CANARY}`, plan.canary, { parent: this, dependsOn: [store, ...(args.canary ? [args.canary] : [])] });
    this.registerOutputs({ namespace, store: plan.store.metadata.name });
  }
}
