import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { importId, type Adoption } from "../model/adoption";
import type { DivisionPlan } from "../model/plan";
import { CANARY_PROPERTY } from "../model/naming";
import { renderHcl } from "../model/vaultPolicy";

export interface DivisionSecretsArgs {
  plan: DivisionPlan;
  mount: vault.Mount;
  /** The mount's path, known before the mount is: adopted objects are addressed by it. */
  kvMount: string;
  adopt: Adoption;
}

/** A division's read policy and the canary value its namespaces' canary ExternalSecrets read. */
export class DivisionSecrets extends pulumi.ComponentResource {
  readonly policy: vault.Policy;
  readonly canary: vault.kv.SecretV2;

  constructor(name: string, args: DivisionSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:DivisionSecrets", name, {}, opts);
    const { plan, adopt, kvMount } = args;
    this.policy = new vault.Policy(`${name}-read`, { name: plan.policy.name, policy: renderHcl(plan.policy) }, { parent: this, ...adopt.options("policy", plan.policy.name, importId.policy(plan.policy.name)) });
    // A value the platform owns, never a tenant credential: it only proves the chain works.
    const value = new random.RandomPassword(`${name}-canary`, { length: 32, special: false }, { parent: this });
    this.canary = new vault.kv.SecretV2(
      `${name}-canary`,
      { mount: args.mount.path, name: plan.canaryKey, dataJson: pulumi.jsonStringify({ [CANARY_PROPERTY]: value.result }) },
      // An adopted canary is imported, then updated to this stack's value: it is only a probe.
      { parent: this, ...adopt.options("kv", `${kvMount}/${plan.canaryKey}`, importId.kv(kvMount, plan.canaryKey)) },
    );
    this.registerOutputs({ policy: this.policy.name, canaryKey: plan.canaryKey });
  }
}
