// platform-secrets-guard: `pulumi preview --policy-pack policy [--policy-pack-config guard.json]`.
import { PolicyPack } from "@pulumi/policy";
import { shareDeserializedProperties } from "./sharedProperties";
import { DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES } from "./policies";

shareDeserializedProperties();
new PolicyPack(PACK_NAME, {
  description: "Naming and scoping rules for the Vault <-> External Secrets bridge (platform-secrets)",
  enforcementLevel: DEFAULT_ENFORCEMENT,
  policies: POLICIES,
});
