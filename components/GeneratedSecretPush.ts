import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import type { PushPlan } from "../model/plan";
import { esoResource } from "./esoResource";
import type { KubernetesAuthBackend } from "./KubernetesAuthBackend";
import { KubernetesAuthRole } from "./KubernetesAuthRole";

export interface GeneratedSecretPushArgs {
  plan: PushPlan;
  backend: KubernetesAuthBackend;
  adopt: Adoption;
}

/**
 * Seed 003's "write to the primary": in ESO's namespace, a ServiceAccount and role allowed to
 * write only the generated keys, a SecretStore on the primary Vault (never the read replica),
 * and per generated entry a generator and the PushSecret that writes its value to Vault, from
 * where the entry's ClusterExternalSecret fans it out.
 */
export class GeneratedSecretPush extends pulumi.ComponentResource {
  constructor(name: string, args: GeneratedSecretPushArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:eso:GeneratedSecretPush", name, {}, opts);
    const { plan, adopt } = args;
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: plan.serviceAccount, namespace: plan.namespace } },
      { parent: this, ...adopt.kubernetes("ServiceAccount", plan.serviceAccount, plan.namespace) },
    );
    const role = new KubernetesAuthRole(plan.role.name, { plan: plan.role, backend: args.backend, ownPolicy: plan.policy, adopt }, { parent: this });
    const store = esoResource(`${name}-store`, plan.store, { parent: this, dependsOn: [sa, role] }, adopt);
    for (const s of plan.secrets) {
      const generator = esoResource(`${s.entry}-generator`, s.generator, { parent: this }, adopt);
      esoResource(`${s.entry}-push`, s.pushSecret, { parent: this, dependsOn: [store, generator] }, adopt);
    }
    this.registerOutputs({ store: plan.store.metadata.name, pushed: plan.secrets.map((s) => s.entry) });
  }
}
