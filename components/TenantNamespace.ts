import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type Adoption, importId } from "../model/adoption";
import * as naming from "../model/naming";
import { pullSecretsToApply } from "../model/pullSecrets";
import type { TenantNamespacePlan } from "../model/plan";
import { esoResource } from "./esoResource";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

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
    // `default-dockercfg-*` there: applying any value but the live one conflicts with it. So where
    // `default` exists (declared, or found by the engine's ExistsResource: a namespace created by an
    // earlier `up`), the live list is read and ours is merged into it (model/pullSecrets.ts); and the
    // patch is always forced, since forcing a value that keeps the other entries drops nothing (shown
    // on a real kube-apiserver in test/k8s). Where it does not exist yet, there is nothing to keep.
    const defaultId = importId.kubernetes(naming.DEFAULT_SERVICE_ACCOUNT, plan.namespace);
    const exists = nsImport.import
      ? pulumi.output(true)
      : pulumi.runtime.existsResource(SERVICE_ACCOUNT, defaultId, undefined, { parent: this, provider: this.getProvider(SERVICE_ACCOUNT) });
    const merged = (): pulumi.Output<string[]> =>
      k8s.core.v1.ServiceAccount.get(`${name}-default-live`, defaultId, { parent: this, dependsOn: [ns] }).imagePullSecrets.apply((live) =>
        pullSecretsToApply((live ?? []).map((s) => s.name), plan.imagePullSecrets, plan.platformPullSecrets),
      );
    const pullSecrets = exists.apply((found) => (found ? merged() : pulumi.output(plan.imagePullSecrets)));
    new k8s.core.v1.ServiceAccountPatch(
      `${name}-default`,
      {
        metadata: { name: naming.DEFAULT_SERVICE_ACCOUNT, namespace, annotations: { "pulumi.com/patchForce": "true" } },
        imagePullSecrets: pullSecrets.apply((names) => names.map((s) => ({ name: s }))),
      },
      { parent: this },
    );
    esoResource(`${name}-${naming.TENANT_CANARY}`, plan.canary, { parent: this, dependsOn: [store, ...(args.canary ? [args.canary] : [])] }, adopt);
    this.registerOutputs({ namespace, store: plan.store.metadata.name });
  }
}
