import * as pulumi from "@pulumi/pulumi";
import type { ClusterPlan } from "../infra/plan";
import { vaultClients } from "../infra/plan";
import { ClientTokenReviewers } from "./ClientTokenReviewers";
import { EsoVaultEgress } from "./EsoVaultEgress";
import { KubernetesAuthBackend } from "./KubernetesAuthBackend";
import { KubernetesAuthRole } from "./KubernetesAuthRole";
import { PipelinesCiSecrets } from "./PipelinesCiSecrets";
import { PlatformSecretStore } from "./PlatformSecretStore";
import { TenantNamespace } from "./TenantNamespace";
import { TokenReviewer } from "./TokenReviewer";

export interface FoundationLink {
  /** Resolves a division's read policy name, failing if the foundation does not provide it. */
  divisionPolicy(division: string): pulumi.Input<string>;
  /** The division canary resource, when this stack writes it. */
  canary(division: string): pulumi.Resource | undefined;
}

export interface ClusterSecretBridgeArgs {
  plan: ClusterPlan;
  foundation: FoundationLink;
}

/** Everything whose name carries the cluster: Vault auth mount and roles, ESO stores and secrets. */
export class ClusterSecretBridge extends pulumi.ComponentResource {
  readonly authBackend: KubernetesAuthBackend;

  constructor(name: string, args: ClusterSecretBridgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:cluster:ClusterSecretBridge", name, {}, opts);
    const { plan, foundation } = args;
    const cluster = plan.config;

    let reviewerJwt: pulumi.Input<string> | undefined;
    let caCert: pulumi.Input<string> | undefined = cluster.caCert;
    if (cluster.reviewer === "serviceaccount") {
      const reviewer = new TokenReviewer(`${cluster.name}-reviewer`, { namespace: cluster.eso.namespace }, { parent: this });
      reviewerJwt = reviewer.jwt;
      caCert = cluster.caCert ?? reviewer.caCert;
    } else {
      new ClientTokenReviewers(`${cluster.name}-clients`, { clients: vaultClients(plan) }, { parent: this });
    }
    this.authBackend = new KubernetesAuthBackend(
      cluster.authPath,
      {
        path: cluster.authPath,
        cluster: cluster.name,
        kubernetesHost: cluster.apiServer,
        kubernetesCaCert: caCert ?? "",
        ...(reviewerJwt !== undefined ? { tokenReviewerJwt: reviewerJwt } : {}),
      },
      { parent: this },
    );

    new PlatformSecretStore(`${cluster.name}-platform`, { plan, backend: this.authBackend }, { parent: this });

    const roles = new Map<string, KubernetesAuthRole>();
    for (const { division, role } of plan.divisionRoles) {
      const policies = pulumi.output(foundation.divisionPolicy(division)).apply((p) => [p]);
      roles.set(division, new KubernetesAuthRole(role.name, { plan: role, backend: this.authBackend, policies }, { parent: this }));
    }
    for (const tenant of plan.tenants) {
      const canary = foundation.canary(tenant.division);
      new TenantNamespace(tenant.namespace, { plan: tenant, role: roles.get(tenant.division)!, ...(canary ? { canary } : {}) }, { parent: this });
    }
    if (plan.pipelines) new PipelinesCiSecrets(`${cluster.name}-pipelines`, { plan: plan.pipelines, backend: this.authBackend }, { parent: this });
    new EsoVaultEgress(`${cluster.name}-eso-egress`, { plan: plan.egress }, { parent: this });

    this.registerOutputs({ authPath: this.authBackend.backend.path });
  }
}
