import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import type { ClusterPlan } from "../model/plan";
import { esoResource } from "./esoResource";
import type { KubernetesAuthBackend } from "./KubernetesAuthBackend";
import { KubernetesAuthRole } from "./KubernetesAuthRole";

export interface PlatformSecretStoreArgs {
  plan: ClusterPlan;
  backend: KubernetesAuthBackend;
  adopt: Adoption;
}

/**
 * The platform-owned side of seeds 000 and 004: the `vault-platform` ClusterSecretStore (with
 * its own role and a policy reading exactly the catalogue's keys) and one ClusterExternalSecret
 * per catalogue entry, fanning it into the tenant namespaces that select it; an entry generated
 * per namespace gets its ClusterGenerator instead of a Vault key.
 */
export class PlatformSecretStore extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:eso:PlatformSecretStore", name, {}, opts);
    const { platform, catalogue } = args.plan;
    const { adopt } = args;
    const role = new KubernetesAuthRole(platform.role.name, { plan: platform.role, backend: args.backend, ownPolicy: platform.policy, adopt }, { parent: this });
    const store = esoResource(platform.store.metadata.name, platform.store, { parent: this, dependsOn: [role] }, adopt);
    for (const { fanout, clusterGenerator } of catalogue) {
      const generator = clusterGenerator ? [esoResource(`${fanout.metadata.name}-generator`, clusterGenerator, { parent: this }, adopt)] : [];
      esoResource(fanout.metadata.name, fanout, { parent: this, dependsOn: [store, ...generator] }, adopt);
    }
    this.registerOutputs({ store: platform.store.metadata.name, catalogue: catalogue.map((d) => d.fanout.metadata.name) });
  }
}
