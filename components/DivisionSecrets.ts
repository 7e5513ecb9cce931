import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import type { DivisionPlan } from "../infra/plan";
import { CANARY_PROPERTY } from "../infra/naming";
import { renderHcl } from "../infra/vaultPolicy";

export interface DivisionSecretsArgs {
  plan: DivisionPlan;
  mount: vault.Mount;
}

/** A division's read policy and the canary value its namespaces' canary ExternalSecrets read. */
export class DivisionSecrets extends pulumi.ComponentResource {
  readonly policy: vault.Policy;
  readonly canary: vault.kv.SecretV2;

  constructor(name: string, args: DivisionSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:DivisionSecrets", name, {}, opts);
    const { plan } = args;
    this.policy = new vault.Policy(`${name}-read`, { name: plan.policy.name, policy: renderHcl(plan.policy) }, { parent: this });
    // A value the platform owns, never a tenant credential: it only proves the chain works.
    const value = new random.RandomPassword(`${name}-canary`, { length: 32, special: false }, { parent: this });
    this.canary = new vault.kv.SecretV2(
      `${name}-canary`,
      { mount: args.mount.path, name: plan.canaryKey, dataJson: pulumi.jsonStringify({ [CANARY_PROPERTY]: value.result }) },
      { parent: this },
    );
    this.registerOutputs({ policy: this.policy.name, canaryKey: plan.canaryKey });
  }
}
