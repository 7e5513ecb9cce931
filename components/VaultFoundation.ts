import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { importId, type Adoption } from "../model/adoption";
import type { FoundationPlan } from "../model/plan";
import { AdminGroup } from "./AdminGroup";
import { DivisionSecrets } from "./DivisionSecrets";

export interface VaultFoundationArgs {
  plan: FoundationPlan;
  adopt: Adoption;
}

/** Objects global to one Vault server: the KV v2 mount, division policies and canaries, admin groups. */
export class VaultFoundation extends pulumi.ComponentResource {
  readonly mount: vault.Mount;
  readonly divisions: Record<string, DivisionSecrets> = {};

  constructor(name: string, args: VaultFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:VaultFoundation", name, {}, opts);
    const { plan, adopt } = args;
    // Deleting the mount deletes every secret in it: protected, so only an explicit unprotect can.
    this.mount = new vault.Mount(
      `${name}-kv`,
      { path: plan.kvMount, type: "kv", options: { version: "2" }, description: "platform-secrets KV v2: apps/<division>/... and ocp/<cluster>/..." },
      { parent: this, protect: true, ...adopt.options("mount", plan.kvMount, importId.mount(plan.kvMount)) },
    );
    for (const d of plan.divisions) {
      this.divisions[d.division] = new DivisionSecrets(d.division, { plan: d, mount: this.mount, kvMount: plan.kvMount, adopt }, { parent: this });
    }
    for (const g of plan.adminGroups) new AdminGroup(g.group, { plan: g, adopt }, { parent: this });
    this.registerOutputs({ kvMount: this.mount.path });
  }
}
