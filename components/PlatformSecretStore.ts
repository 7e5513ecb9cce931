import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../infra/adoption";
import type { ClusterPlan } from "../infra/plan";
import { esoResource } from "./esoResource";
import type { KubernetesAuthBackend } from "./KubernetesAuthBackend";
import { KubernetesAuthRole } from "./KubernetesAuthRole";

export interface PlatformSecretStoreArgs {
  plan: ClusterPlan;
  backend: KubernetesAuthBackend;
  adopt: Adoption;
}

/**
 * The platform-owned side of seed 000: the `vault-platform` ClusterSecretStore (with its own
 * role and registries-only policy) and the ClusterExternalSecrets that fan registry pull
 * Secrets into tenant-labelled namespaces through it.
 */
export class PlatformSecretStore extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:eso:PlatformSecretStore", name, {}, opts);
    const { platform, pullSecrets } = args.plan;
    const { adopt } = args;
    const role = new KubernetesAuthRole(platform.role.name, { plan: platform.role, backend: args.backend, ownPolicy: platform.policy, adopt }, { parent: this });
    const store = esoResource(platform.store.metadata.name, platform.store, { parent: this, dependsOn: [role] }, adopt);
    for (const ces of pullSecrets) esoResource(ces.metadata.name, ces, { parent: this, dependsOn: [store] }, adopt);
    this.registerOutputs({ store: platform.store.metadata.name, pullSecrets: pullSecrets.map((p) => p.metadata.name) });
  }
}
