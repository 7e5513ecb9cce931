import * as pulumi from "@pulumi/pulumi";
import type { FoundationOutputs } from "../model/outputs";

export interface FoundationReferenceArgs {
  /** The foundation stack, e.g. `organization/platform-secrets/vault`. */
  stack: string;
}

/** What a cluster stack learnt from its foundation; the component's registered outputs. */
export interface FoundationReferenceState {
  stack: string;
  kvMount: string;
  /** Every policy the foundation exports (division read policies, admin policies). */
  policies: string[];
}

/**
 * The foundation stack as this cluster stack reads it. The engine leaves StackReference reads
 * out of what stack policies see, so the policy names the foundation provides are registered
 * as this component's outputs: that is how `role-policies-exist` learns them under `pulumi preview`.
 */
export class FoundationReference extends pulumi.ComponentResource {
  readonly ref: pulumi.StackReference;
  /** The foundation's `foundation` output; undefined when it exports none. */
  readonly outputs: Promise<FoundationOutputs | undefined>;

  constructor(name: string, args: FoundationReferenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:FoundationReference", name, {}, opts);
    this.ref = new pulumi.StackReference(args.stack, {}, { parent: this });
    this.outputs = this.ref.getOutputDetails("foundation").then((d) => d.value as FoundationOutputs | undefined);
    // A failed read (no such stack, no access) is the program's to report, with the setting to
    // fix; the component's outputs must not raise it a second time as another error.
    const read = this.outputs.catch(() => undefined);
    this.registerOutputs(pulumi.output(read.then((read): FoundationReferenceState => ({
      stack: args.stack,
      kvMount: read?.kvMount ?? "",
      policies: read ? [...Object.values(read.divisionPolicies), ...Object.values(read.adminGroups).map((g) => g.policy)].sort() : [],
    }))));
  }
}
