import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { importId, type Adoption } from "../model/adoption";
import type { AdminGroupPlan } from "../model/plan";
import { renderHcl } from "../model/vaultPolicy";

export interface AdminGroupArgs {
  plan: AdminGroupPlan;
  adopt: Adoption;
}

/**
 * `vault-admins-<env>` (seed 002): an external identity group bound to `<env>-kv-rw`, with an
 * alias on the OIDC auth mount so that the OIDC provider's group of that name maps onto it.
 */
export class AdminGroup extends pulumi.ComponentResource {
  readonly group: vault.identity.Group;

  constructor(name: string, args: AdminGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:AdminGroup", name, {}, opts);
    const { plan, adopt } = args;
    const policy = new vault.Policy(`${name}-rw`, { name: plan.policy.name, policy: renderHcl(plan.policy) }, { parent: this, ...adopt.options("policy", plan.policy.name, importId.policy(plan.policy.name)) });
    this.group = new vault.identity.Group(
      name,
      { name: plan.group, type: "external", policies: [policy.name], metadata: { responsibility: `Vault ${plan.env} Admin` } },
      // Groups and aliases are imported by the UUID Vault assigned: only the stack can supply it.
      { parent: this, ...adopt.options("group", plan.group, "") },
    );
    const oidc = vault.getAuthBackendOutput({ path: plan.oidcMountPath }, { parent: this });
    new vault.identity.GroupAlias(name, { name: plan.group, mountAccessor: oidc.accessor, canonicalId: this.group.id }, { parent: this, ...adopt.options("groupAlias", plan.group, "") });
    this.registerOutputs({ group: this.group.name, policy: policy.name });
  }
}
