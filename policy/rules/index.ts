import type { Rule } from "../rule";
import { vaultEffectiveAccess, vaultPolicyShape } from "./access";
import { authBackendNaming, authRoleNaming, ciSecretNaming, secretStoreNaming, tenantNamespaceNaming, vaultPolicyNaming } from "./naming";
import { ciSecretOwner, namespaceSelection, pushToPrimary, singleOwner, storeLoginBinding, storeRouting } from "./reach";
import { tenantRbac } from "./rbac";
import { authRoleScope, clusterExternalSecretScope, noLiteralSecrets, pipelinesSecretScope, protectedVaultMounts, refreshIntervalBounds, vaultPolicyGlob } from "./scoping";
import { esoEgressPresent, rolePoliciesExist, tenantNamespaceComplete, uniqueTargetSecrets } from "./stack";
import { unjudgedType } from "./unjudged";

/** Every rule of the pack, in the order docs/policy-pack.md lists them. */
export const RULES: readonly Rule[] = [
  tenantNamespaceNaming,
  vaultPolicyNaming,
  authBackendNaming,
  authRoleNaming,
  secretStoreNaming,
  ciSecretNaming,
  vaultPolicyGlob,
  vaultPolicyShape,
  vaultEffectiveAccess,
  authRoleScope,
  namespaceSelection,
  storeRouting,
  clusterExternalSecretScope,
  pushToPrimary,
  pipelinesSecretScope,
  ciSecretOwner,
  refreshIntervalBounds,
  protectedVaultMounts,
  noLiteralSecrets,
  tenantRbac,
  uniqueTargetSecrets,
  singleOwner,
  rolePoliciesExist,
  storeLoginBinding,
  tenantNamespaceComplete,
  esoEgressPresent,
  unjudgedType,
];
