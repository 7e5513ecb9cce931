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

    const access = this.tokenReview(plan);
    this.authBackend = new KubernetesAuthBackend(
      cluster.authPath,
      { path: cluster.authPath, cluster: cluster.name, kubernetesHost: cluster.apiServer, ...access },
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

  /**
   * How Vault reviews this cluster's tokens: with the `eso-vault-auth` reviewer (whose Secret
   * also carries the CA), or reviewer-less with each client's own JWT and the configured CA.
   */
  private tokenReview(plan: ClusterPlan): { kubernetesCaCert: pulumi.Input<string>; tokenReviewerJwt?: pulumi.Input<string> } {
    const cluster = plan.config;
    if (cluster.reviewer === "serviceaccount") {
      const reviewer = new TokenReviewer(`${cluster.name}-reviewer`, { namespace: cluster.eso.namespace }, { parent: this });
      return { kubernetesCaCert: cluster.caCert ?? reviewer.caCert, tokenReviewerJwt: reviewer.jwt };
    }
    new ClientTokenReviewers(`${cluster.name}-clients`, { clients: vaultClients(plan) }, { parent: this });
    // Config validation requires cluster.caCert in this mode (infra/config.ts).
    if (cluster.caCert === undefined) throw new Error(`cluster ${cluster.name}: reviewer-less mode needs cluster.caCert`);
    return { kubernetesCaCert: cluster.caCert };
  }
}
