import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as naming from "../infra/naming";
import type { EgressPlan } from "../infra/plan";

export interface EsoVaultEgressArgs {
  plan: EgressPlan;
}

/**
 * `eso-allow-egress-to-vault` (seed 000): under a default-deny policy ESO's login to Vault
 * hangs forever; this opens Vault's address and port, and DNS, for ESO's pods only.
 */
export class EsoVaultEgress extends pulumi.ComponentResource {
  constructor(name: string, args: EsoVaultEgressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:k8s:EsoVaultEgress", name, {}, opts);
    const { plan } = args;
    const policy = new k8s.networking.v1.NetworkPolicy(
      name,
      {
        metadata: { name: naming.EGRESS_POLICY, namespace: plan.namespace },
        spec: {
          podSelector: { matchLabels: plan.podSelector },
          policyTypes: ["Egress"],
          egress: [
            { to: plan.vaultCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: plan.vaultPort }] },
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": plan.dnsNamespace } } }],
              ports: plan.dnsPorts.flatMap((port) => [
                { protocol: "UDP", port },
                { protocol: "TCP", port },
              ]),
            },
          ],
        },
      },
      { parent: this },
    );
    this.registerOutputs({ name: policy.metadata.name });
  }
}
