import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import * as naming from "../model/naming";
import type { PipelinesPlan } from "../model/plan";
import { esoResource } from "./esoResource";
import type { KubernetesAuthBackend } from "./KubernetesAuthBackend";
import { KubernetesAuthRole } from "./KubernetesAuthRole";

export interface PipelinesCiSecretsArgs {
  plan: PipelinesPlan;
  backend: KubernetesAuthBackend;
  adopt: Adoption;
}

/**
 * Seed 001 in openshift-pipelines: the `pipelines-vault-apps` ServiceAccount and SecretStore,
 * a role reading only the registered CI robot paths, and one `quay-robot-team-<team>`
 * ExternalSecret per tenant with a team.
 */
export class PipelinesCiSecrets extends pulumi.ComponentResource {
  constructor(name: string, args: PipelinesCiSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:eso:PipelinesCiSecrets", name, {}, opts);
    const { plan, adopt } = args;
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: naming.PIPELINES_SERVICE_ACCOUNT, namespace: naming.PIPELINES_NAMESPACE } },
      { parent: this, ...adopt.kubernetes("ServiceAccount", naming.PIPELINES_SERVICE_ACCOUNT, naming.PIPELINES_NAMESPACE) },
    );
    const role = new KubernetesAuthRole(plan.role.name, { plan: plan.role, backend: args.backend, ownPolicy: plan.policy, adopt }, { parent: this });
    const store = esoResource(`${name}-store`, plan.store, { parent: this, dependsOn: [sa, role] }, adopt);
    for (const ci of plan.ciSecrets) esoResource(ci.manifest.metadata.name, ci.manifest, { parent: this, dependsOn: [store] }, adopt);
    this.registerOutputs({ store: plan.store.metadata.name });
  }
}
