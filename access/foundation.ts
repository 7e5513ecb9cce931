// A cluster stack's roles carry policies its foundation stack writes. The program learns their
// names through the FoundationReference (a StackReference to the foundation's outputs); their
// text is the foundation stack's plan, which is what that stack's `pulumi up` writes to Vault.
import { loadStack } from "../model/load";
import { renderHcl } from "../model/vaultPolicy";
import type { PolicySource } from "../policy/model";
import { TYPES, type ResourceView } from "../policy/shapes";

export interface FoundationPolicies {
  /** The foundation stack as the FoundationReference names it (`org/project/stack`). */
  stack: string;
  sources: PolicySource[];
  /** Why the texts could not be read (the foundation stack is not in this project). */
  unavailable?: string;
}

/** The foundation stack a cluster stack reads, from its FoundationReference's outputs. */
export function foundationStackOf(resources: readonly ResourceView[]): string | undefined {
  const ref = resources.find((r) => r.type === TYPES.foundationReference);
  return typeof ref?.props.stack === "string" ? ref.props.stack : undefined;
}

/** The foundation's policy texts from its stack file in this project (the last segment of the reference names it). */
export function foundationPolicies(root: string, stackRef: string): FoundationPolicies {
  const name = stackRef.split("/").pop()!;
  try {
    const plan = loadStack({ root, stack: name }).plan.foundation;
    if (!plan) return { stack: stackRef, sources: [], unavailable: `stack ${name} manages no foundation` };
    const docs = [...plan.divisions.map((d) => d.policy), ...plan.adminGroups.map((g) => g.policy)];
    return { stack: stackRef, sources: docs.map((d) => ({ name: d.name, text: renderHcl(d), urn: `foundation:${name}`, via: `foundation stack ${name}` })) };
  } catch (err) {
    return { stack: stackRef, sources: [], unavailable: (err as Error).message.split("\n")[0]! };
  }
}
