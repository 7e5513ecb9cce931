import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import * as naming from "../model/naming";
import type { EgressPlan } from "../model/plan";

export interface EsoVaultEgressArgs {
  plan: EgressPlan;
  adopt: Adoption;
}

/**
 * `eso-allow-egress-to-vault` (seed 000): under a default-deny policy ESO's login to Vault
 * hangs forever; this opens Vault's address and port, and DNS, for ESO's pods only, plus the
 * API server when configured. The plan only has it where it cannot isolate ESO (model/clusterAccess.ts).
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
            { to: plan.vaultCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: plan.vaultPorts.map((port) => ({ protocol: "TCP", port })) },
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": plan.dnsNamespace } } }],
              ports: plan.dnsPorts.flatMap((port) => [
                { protocol: "UDP", port },
                { protocol: "TCP", port },
              ]),
            },
            // ESO watches and writes Secrets through the API server: an Egress policy without it isolates ESO.
            ...(plan.apiServer ? [{ to: plan.apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: plan.apiServer.port }] }] : []),
          ],
        },
      },
      { parent: this, ...args.adopt.kubernetes("NetworkPolicy", naming.EGRESS_POLICY, plan.namespace) },
    );
    this.registerOutputs({ name: policy.metadata.name });
  }
}
