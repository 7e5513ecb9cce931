import type { Rule } from "../rule";
import { authBackendNaming, authRoleNaming, ciSecretNaming, secretStoreNaming, tenantNamespaceNaming, vaultPolicyNaming } from "./naming";
import {
  authRoleScope,
  clusterExternalSecretScope,
  noLiteralSecrets,
  pipelinesSecretScope,
  protectedVaultMounts,
  refreshIntervalBounds,
  secretStoreScope,
  vaultPolicyGlob,
  vaultPolicyScope,
} from "./scoping";
import { esoEgressPresent, rolePoliciesExist, storeRolesExist, tenantNamespaceComplete, uniqueTargetSecrets } from "./stack";

/** Every rule of the pack, in the order the README's table lists them. */
export const RULES: readonly Rule[] = [
  tenantNamespaceNaming,
  vaultPolicyNaming,
  authBackendNaming,
  authRoleNaming,
  secretStoreNaming,
  ciSecretNaming,
  vaultPolicyGlob,
  vaultPolicyScope,
  authRoleScope,
  secretStoreScope,
  clusterExternalSecretScope,
  pipelinesSecretScope,
  refreshIntervalBounds,
  protectedVaultMounts,
  noLiteralSecrets,
  uniqueTargetSecrets,
  rolePoliciesExist,
  storeRolesExist,
  tenantNamespaceComplete,
  esoEgressPresent,
];
