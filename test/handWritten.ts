// Holders of Vault policies written by hand beside the program's resources (issue 25): the
// records the engine would keep for them, so the pack and the access report see them as they
// would see a stack that declares them.
import fc from "fast-check";
import type { PolicyHolder } from "../policy/holders";
import type { RegisteredResource } from "../preview/record";

export function handWritten(stack: string, type: string, name: string, outputs: Record<string, unknown>): RegisteredResource {
  return { urn: `urn:pulumi:${stack}::platform-secrets::${type}::${name}`, type, name, custom: true, protect: false, read: false, dependencies: [], propertyDependencies: {}, inputs: outputs, outputs };
}

/** The password a userpass user written here has. */
export const fixturePassword = (user: string) => `${user}-password`;

/** The login kinds a hand-written extra can take, and the report's principal kind for each. */
export const EXTRA_KINDS = {
  approle: "approle",
  userpass: "userpass-user",
  "ldap-group": "ldap-group",
  "token-role": "token-role",
  jwt: "jwt-role",
} as const satisfies Record<string, PolicyHolder["kind"]>;
export type ExtraKind = keyof typeof EXTRA_KINDS;

export interface Extra {
  kind: ExtraKind;
  /** the role, user or group name it logs in as */
  name: string;
  policies: string[];
  noDefaultPolicy: boolean;
}

/** The resource a person would write for it: the provider's typed class where there is one, else a raw write. */
export function extraResource(stack: string, e: Extra): RegisteredResource {
  const token = { tokenPolicies: e.policies, ...(e.noDefaultPolicy ? { tokenNoDefaultPolicy: true } : {}) };
  switch (e.kind) {
    case "approle":
      return handWritten(stack, "vault:appRole/authBackendRole:AuthBackendRole", e.name, { backend: "approle", roleName: e.name, ...token });
    case "userpass":
      // The provider has no userpass user class: people write it through the generic endpoint.
      return handWritten(stack, "vault:generic/endpoint:Endpoint", `userpass-${e.name}`, {
        path: `auth/userpass/users/${e.name}`,
        dataJson: JSON.stringify({ password: fixturePassword(e.name), token_policies: e.policies, ...(e.noDefaultPolicy ? { token_no_default_policy: true } : {}) }),
      });
    case "ldap-group":
      return handWritten(stack, "vault:ldap/authBackendGroup:AuthBackendGroup", e.name, { backend: "ldap", groupname: e.name, policies: e.policies });
    case "token-role":
      return handWritten(stack, "vault:tokenauth/authBackendRole:AuthBackendRole", e.name, { roleName: e.name, allowedPolicies: e.policies, ...(e.noDefaultPolicy ? { tokenNoDefaultPolicy: true } : {}) });
    case "jwt":
      return handWritten(stack, "vault:jwt/authBackendRole:AuthBackendRole", e.name, { backend: "jwt", roleName: e.name, roleType: "jwt", userClaim: "sub", boundAudiences: ["ci"], ...token });
  }
}

/** Up to three extras holding some of `policies`, named apart. */
export function extras(policies: readonly string[]): fc.Arbitrary<Extra[]> {
  const kinds = Object.keys(EXTRA_KINDS) as ExtraKind[];
  return fc
    .array(fc.record({ kind: fc.constantFrom(...kinds), policies: fc.subarray([...policies], { minLength: 1, maxLength: 3 }), noDefaultPolicy: fc.boolean() }), { maxLength: 3 })
    .map((list) => list.map((e, i) => ({ ...e, name: `extra-${i}`, noDefaultPolicy: e.kind === "ldap-group" ? false : e.noDefaultPolicy })));
}

/**
 * Principals of methods a dev server can log in through, written by hand beside a cluster
 * stack: approle roles and userpass users, each with and without the `default` policy, holding
 * the foundation's and the stack's policies (the real-server comparison logs in as each).
 */
export function loginFixture(stack: string, policies: { tenant: string; platform: string }): RegisteredResource[] {
  return [
    handWritten(stack, "vault:index/authBackend:AuthBackend", "approle", { type: "approle", path: "approle" }),
    handWritten(stack, "vault:index/authBackend:AuthBackend", "userpass", { type: "userpass", path: "userpass" }),
    extraResource(stack, { kind: "approle", name: "ci", policies: [policies.tenant], noDefaultPolicy: false }),
    extraResource(stack, { kind: "approle", name: "reporter", policies: [policies.tenant, policies.platform], noDefaultPolicy: true }),
    extraResource(stack, { kind: "userpass", name: "alice", policies: [policies.platform], noDefaultPolicy: false }),
    extraResource(stack, { kind: "userpass", name: "bob", policies: [policies.tenant], noDefaultPolicy: true }),
  ];
}
