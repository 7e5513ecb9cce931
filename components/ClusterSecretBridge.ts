import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import type { ClusterPlan } from "../model/plan";
import { vaultClients } from "../model/plan";
import { ClientTokenReviewers } from "./ClientTokenReviewers";
import { EsoVaultEgress } from "./EsoVaultEgress";
import { GeneratedSecretPush } from "./GeneratedSecretPush";
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
  adopt: Adoption;
}

/** Everything whose name carries the cluster: Vault auth mount and roles, ESO stores and secrets. */
export class ClusterSecretBridge extends pulumi.ComponentResource {
  readonly authBackend: KubernetesAuthBackend;

  constructor(name: string, args: ClusterSecretBridgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:cluster:ClusterSecretBridge", name, {}, opts);
    const { plan, foundation, adopt } = args;
    const cluster = plan.config;

    const access = this.tokenReview(plan, adopt);
    this.authBackend = new KubernetesAuthBackend(
      cluster.authPath,
      { path: cluster.authPath, cluster: cluster.name, kubernetesHost: cluster.apiServer, ...access, adopt },
      { parent: this },
    );

    new PlatformSecretStore(`${cluster.name}-platform`, { plan, backend: this.authBackend, adopt }, { parent: this });
    if (plan.push) new GeneratedSecretPush(`${cluster.name}-push`, { plan: plan.push, backend: this.authBackend, adopt }, { parent: this });

    const roles = new Map<string, KubernetesAuthRole>();
    for (const { division, role } of plan.divisionRoles) {
      const policies = pulumi.output(foundation.divisionPolicy(division)).apply((p) => [p]);
      roles.set(division, new KubernetesAuthRole(role.name, { plan: role, backend: this.authBackend, policies, adopt }, { parent: this }));
    }
    for (const tenant of plan.tenants) {
      const canary = foundation.canary(tenant.division);
      new TenantNamespace(tenant.namespace, { plan: tenant, role: roles.get(tenant.division)!, adopt, ...(canary ? { canary } : {}) }, { parent: this });
    }
    if (plan.pipelines) new PipelinesCiSecrets(`${cluster.name}-pipelines`, { plan: plan.pipelines, backend: this.authBackend, adopt }, { parent: this });
    if (plan.egress) new EsoVaultEgress(`${cluster.name}-eso-egress`, { plan: plan.egress, adopt }, { parent: this });

    // The policy pack reads which cluster (and mount) this stack manages from these outputs.
    this.registerOutputs({ cluster: cluster.name, authPath: this.authBackend.backend.path });
  }

  /**
   * How Vault reviews this cluster's tokens: with the `eso-vault-auth` reviewer, or reviewer-less
   * with each client's own JWT; and which CA it trusts for the API server (`cluster.apiServerCa`:
   * the reviewer Secret's in-cluster `ca.crt`, the configured chain of a route or load balancer,
   * or, with no CA written, the root CAs of Vault's host).
   */
  private tokenReview(plan: ClusterPlan, adopt: Adoption): { kubernetesCaCert?: pulumi.Input<string>; tokenReviewerJwt?: pulumi.Input<string> } {
    const cluster = plan.config;
    // Config validation rules out the combinations that throw here (model/clusterAccess.ts).
    const trust = (inClusterCa?: pulumi.Input<string>): { kubernetesCaCert?: pulumi.Input<string> } => {
      switch (cluster.apiServerCa) {
        case "system":
          return {};
        case "configured":
          if (cluster.caCert === undefined) throw new Error(`cluster ${cluster.name}: apiServerCa configured needs cluster.caCert`);
          return { kubernetesCaCert: cluster.caCert };
        case "cluster":
          if (inClusterCa === undefined) throw new Error(`cluster ${cluster.name}: apiServerCa cluster needs the reviewer Secret's ca.crt`);
          return { kubernetesCaCert: inClusterCa };
      }
    };
    if (cluster.reviewer === "serviceaccount") {
      const reviewer = new TokenReviewer(`${cluster.name}-reviewer`, { namespace: cluster.eso.namespace, adopt }, { parent: this });
      return { ...trust(reviewer.caCert), tokenReviewerJwt: reviewer.jwt };
    }
    new ClientTokenReviewers(`${cluster.name}-clients`, { clients: vaultClients(plan), adopt }, { parent: this });
    return trust();
  }
}
