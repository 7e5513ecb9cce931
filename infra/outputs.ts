// Reads this project's stack outputs back from a StackReference, for other Pulumi projects (the
// design card's third use). The contract itself is the pure model's (model/outputs.ts).
import * as pulumi from "@pulumi/pulumi";
import type { ClusterOutputs, FoundationOutputs, PlatformSecretsOutputs } from "../model/outputs";

export type { ClusterOutputs, FoundationOutputs, PlatformSecretsOutputs, TenantNamespaceOutputs } from "../model/outputs";

/** For other projects: `readPlatformOutputs(new pulumi.StackReference("org/platform-secrets/spoke-dc-v6"))`. */
export function readPlatformOutputs(ref: pulumi.StackReference): pulumi.Output<PlatformSecretsOutputs> {
  return pulumi.all([ref.getOutput("foundation"), ref.getOutput("cluster")]).apply(([foundation, cluster]) => {
    const out: PlatformSecretsOutputs = {};
    if (foundation) out.foundation = foundation as FoundationOutputs;
    if (cluster) out.cluster = cluster as ClusterOutputs;
    return out;
  });
}
