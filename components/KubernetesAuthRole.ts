import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { importId, type Adoption } from "../model/adoption";
import type { RolePlan } from "../model/plan";
import { renderHcl, type PolicyDocument } from "../model/vaultPolicy";
import type { KubernetesAuthBackend } from "./KubernetesAuthBackend";

export interface KubernetesAuthRoleArgs {
  plan: RolePlan;
  backend: KubernetesAuthBackend;
  /** A policy only this role uses, created alongside it. */
  ownPolicy?: PolicyDocument;
  /** Policy names provided elsewhere (the foundation); resolving them may check they exist. */
  policies?: pulumi.Input<string[]>;
  adopt: Adoption;
}

/** A kubernetes auth role bound to explicit ServiceAccounts in explicit namespaces, never globs. */
export class KubernetesAuthRole extends pulumi.ComponentResource {
  readonly role: vault.kubernetes.AuthBackendRole;

  constructor(name: string, args: KubernetesAuthRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform-secrets:vault:KubernetesAuthRole", name, {}, opts);
    const { plan, adopt } = args;
    const path = args.backend.path;
    const own = args.ownPolicy
      ? new vault.Policy(name, { name: args.ownPolicy.name, policy: renderHcl(args.ownPolicy) }, { parent: this, ...adopt.options("policy", args.ownPolicy.name, importId.policy(args.ownPolicy.name)) })
      : undefined;
    const tokenPolicies: pulumi.Input<string[]> = own ? own.name.apply((n) => [n]) : (args.policies ?? plan.policies);
    this.role = new vault.kubernetes.AuthBackendRole(
      name,
      {
        backend: args.backend.backend.path,
        roleName: plan.name,
        boundServiceAccountNames: plan.serviceAccounts,
        boundServiceAccountNamespaces: plan.namespaces,
        audience: plan.audience,
        aliasNameSource: "serviceaccount_uid",
        tokenPolicies,
        tokenTtl: plan.tokenTtl,
        tokenMaxTtl: plan.tokenMaxTtl,
      },
      { parent: this, dependsOn: [args.backend.config], ...adopt.options("role", `${path}/${plan.name}`, importId.role(path, plan.name)) },
    );
    this.registerOutputs({ roleName: this.role.roleName });
  }
}
