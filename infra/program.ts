// Turns a validated plan into the resource graph. Shared by the real entry point
// (infra/index.ts) and the offline preview, so both run exactly the same program.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { ClusterSecretBridge, type FoundationLink } from "../components/ClusterSecretBridge";
import { FoundationReference } from "../components/FoundationReference";
import { VaultFoundation } from "../components/VaultFoundation";
import { Adoption } from "../model/adoption";
import { ConfigError, type KeyPath } from "../model/configError";
import type { LoadedStack } from "../model/load";
import { planOutputs, type FoundationOutputs, type PlatformSecretsOutputs } from "../model/outputs";

export async function definePlatform(loaded: LoadedStack): Promise<PlatformSecretsOutputs> {
  const { plan, config } = loaded;
  // Read and check the foundation first: a stale foundation stops the run before anything
  // of this stack is registered, so nothing is half-created.
  const reference = plan.cluster && plan.foundationStack ? new FoundationReference("foundation", { stack: plan.foundationStack }) : undefined;
  if (reference && plan.cluster) {
    const read = await reference.outputs.catch((err: unknown) => {
      throw new FoundationError(`foundation stack ${plan.foundationStack} cannot be read: ${engineReason(err)}`);
    });
    if (!read) throw new FoundationError(`foundation stack ${plan.foundationStack} exports no \`foundation\` output: run \`pulumi up\` on it first`);
    for (const division of plan.cluster.divisionRoles.map((d) => d.division)) foundationPolicy(read, division, config.vault.kvMount, plan.foundationStack!);
  }

  const providers: pulumi.ProviderResource[] = [new vault.Provider("vault", { address: config.vault.address })];
  if (plan.cluster) {
    const kubeContext = plan.cluster.config.kubeContext;
    providers.push(new k8s.Provider(plan.cluster.config.name, { ...(kubeContext ? { context: kubeContext } : {}), enableServerSideApply: true }));
  }

  const adopt = new Adoption(config.adopt);
  const foundation = plan.foundation ? new VaultFoundation("vault", { plan: plan.foundation, adopt }, { providers }) : undefined;

  if (plan.cluster) {
    let link: FoundationLink;
    if (foundation) {
      link = { divisionPolicy: (d) => foundation.divisions[d]!.policy.name, canary: (d) => foundation.divisions[d]?.canary };
    } else {
      // Policy names still flow from the reference, so each role depends on it in the graph.
      const outputs = reference!.ref.requireOutput("foundation") as pulumi.Output<FoundationOutputs>;
      link = {
        divisionPolicy: (d) => outputs.apply((f) => foundationPolicy(f, d, config.vault.kvMount, plan.foundationStack!)),
        canary: () => undefined,
      };
    }
    new ClusterSecretBridge(plan.cluster.config.name, { plan: plan.cluster, foundation: link, adopt }, { providers });
  }
  // A declared object nothing matched would be created instead of adopted: stop before `up` does.
  const unused = adopt.unused();
  if (unused.length > 0) {
    throw new ConfigError(unused.map((u) => ({ file: loaded.stackFile, key: "platform-secrets:adopt", message: `${u} is declared as existing but this stack creates no such object` })));
  }
  return planOutputs(plan);
}

/** What the engine said, without the SDK's wrapping (`failed to read resource #… [type]: 2 UNKNOWN: <reason>`). */
function engineReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /: \d+ [A-Z_]+: ([\s\S]*)$/.exec(message)?.[1] ?? message;
}

/** The foundation stack does not (yet) provide what this stack needs. */
export class FoundationError extends Error {
  constructor(
    message: string,
    /** The setting to look at, as a config path. */
    readonly setting: KeyPath = ["foundation", "stack"],
  ) {
    super(message);
    this.name = "FoundationError";
  }
}

/** The foundation stack must already provide what this cluster's roles list. */
export function foundationPolicy(f: FoundationOutputs, division: string, kvMount: string, stack: string): string {
  if (f.kvMount !== kvMount) {
    throw new FoundationError(`foundation stack ${stack} manages KV mount "${f.kvMount}" but this stack's platform-secrets:vault.kvMount is "${kvMount}"`, ["vault", "kvMount"]);
  }
  const policy = f.divisionPolicies[division];
  if (policy === undefined) {
    throw new FoundationError(`foundation stack ${stack} has no read policy for division "${division}": run \`pulumi up\` on ${stack} after adding the tenant, then this stack`);
  }
  return policy;
}
