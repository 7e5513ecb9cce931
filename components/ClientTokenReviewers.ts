import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import * as naming from "../model/naming";

export interface ClientTokenReviewersArgs {
  clients: Array<{ namespace: string; name: string }>;
  adopt: Adoption;
}

/**
 * Reviewer-less mode: Vault reviews each login with the client's own JWT, so every
 * ServiceAccount a role binds needs `system:auth-delegator` itself. No long-lived token exists.
 */
export class ClientTokenReviewers extends pulumi.ComponentResource {
  constructor(name: string, args: ClientTokenReviewersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:k8s:ClientTokenReviewers", name, {}, opts);
    const binding = new k8s.rbac.v1.ClusterRoleBinding(
      name,
      {
        metadata: { name: naming.CLIENT_JWT_BINDING },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: args.clients.map((c) => ({ kind: "ServiceAccount", name: c.name, namespace: c.namespace })),
      },
      { parent: this, ...args.adopt.kubernetes("ClusterRoleBinding", naming.CLIENT_JWT_BINDING) },
    );
    this.registerOutputs({ binding: binding.metadata.name });
  }
}
