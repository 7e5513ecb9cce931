import type { Rule } from "../rule";
import { vaultEffectiveAccess, vaultPolicyShape } from "./access";
import { authBackendNaming, authRoleNaming, ciSecretNaming, secretStoreNaming, tenantNamespaceNaming, vaultPolicyNaming } from "./naming";
import { ciSecretOwner, namespaceSelection, pushToPrimary, singleOwner, storeLoginBinding, storeRouting } from "./reach";
import { clusterOwnership, platformNamespace } from "./ownership";
import { tenantRbac } from "./rbac";
import { noLiteralSecrets } from "./literals";
import { authRoleScope, clusterExternalSecretScope, pipelinesSecretScope, protectedVaultMounts, refreshIntervalBounds, vaultPolicyGlob } from "./scoping";
import { esoEgressPresent, pushedSecretSource, rolePoliciesExist, tenantNamespaceComplete, uniqueTargetSecrets } from "./stack";
import { unjudgedType } from "./unjudged";
import { serviceAccountUse } from "./workloads";

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
  pushedSecretSource,
  pipelinesSecretScope,
  ciSecretOwner,
  refreshIntervalBounds,
  protectedVaultMounts,
  noLiteralSecrets,
  tenantRbac,
  serviceAccountUse,
  uniqueTargetSecrets,
  singleOwner,
  rolePoliciesExist,
  storeLoginBinding,
  tenantNamespaceComplete,
  esoEgressPresent,
  clusterOwnership,
  platformNamespace,
  unjudgedType,
];
