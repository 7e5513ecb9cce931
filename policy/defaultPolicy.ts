// The built-in `default` policy each server writes at unseal and every token carries unless
// its role or creator sets token_no_default_policy. Vault's and OpenBao's texts differ: OpenBao
// dropped Enterprise's control groups and the old lease-renewal path sys/renew (OpenBao 2.5.5's
// sys/policy/default, which test/integration/access.test.ts compares with this list). Sources: openbao/openbao vault/policy_store.go
// (defaultPolicy, commit 3a71d39f); hashicorp/vault vault/policy_store.go (defaultPolicy, as
// `vault read sys/policy/default` prints it on current releases: the older sys/tools/random
// paths are gone). The pack's allowance (DEFAULT_POLICY_RULES) is built on these.
import type { Capability, PolicyRule } from "../model/vaultPolicy";

export const SERVERS = ["vault", "openbao"] as const;
export type Server = (typeof SERVERS)[number];

const U: Capability[] = ["update"];

/** What both servers' default policies grant. */
const COMMON: readonly PolicyRule[] = [
  { path: "auth/token/lookup-self", capabilities: ["read"] },
  { path: "auth/token/renew-self", capabilities: U },
  { path: "auth/token/revoke-self", capabilities: U },
  { path: "sys/capabilities-self", capabilities: U },
  // Templated: each token reads only its own entity.
  { path: "identity/entity/id/{{identity.entity.id}}", capabilities: ["read"] },
  { path: "identity/entity/name/{{identity.entity.name}}", capabilities: ["read"] },
  { path: "sys/internal/ui/resultant-acl", capabilities: ["read"] },
  { path: "sys/leases/renew", capabilities: U },
  { path: "sys/leases/lookup", capabilities: U },
  { path: "cubbyhole/*", capabilities: ["create", "read", "update", "delete", "list"] },
  { path: "sys/wrapping/wrap", capabilities: U },
  { path: "sys/wrapping/lookup", capabilities: U },
  { path: "sys/wrapping/unwrap", capabilities: U },
  { path: "sys/tools/hash", capabilities: U },
  { path: "sys/tools/hash/*", capabilities: U },
  { path: "identity/oidc/provider/+/authorize", capabilities: ["read", "update"] },
];

export const BUILT_IN_DEFAULT: Readonly<Record<Server, readonly PolicyRule[]>> = {
  vault: [...COMMON, { path: "sys/renew", capabilities: U }, { path: "sys/control-group/request", capabilities: U }],
  openbao: COMMON,
};

/** Whether a grant path is a template Vault fills per token (`{{identity.entity.id}}`…). */
export const isTemplated = (path: string) => path.includes("{{");
