// What a raw Vault write (`vault.generic.Endpoint`, `vault.generic.Secret`) does, read from
// its path the way Vault's routers read it. Everything the pack judges about a raw write starts
// here, so that two rules can never disagree on what a path is; a path none of these shapes
// describe is `other`, which the pack does not judge and therefore refuses (unjudged-type).

export type RawWrite =
  /** `sys/policies/acl/<name>` or the old `sys/policy/<name>`: the policy's text */
  | { kind: "policy"; name: string }
  /** `sys/auth/<mount>`: enables an auth method */
  | { kind: "auth-enable"; mount: string }
  /** `auth/<mount>/config`: where the method sends logins (for kubernetes: which cluster) */
  | { kind: "auth-config"; mount: string }
  /** `auth/<mount>/role/<role>`: a role of kubernetes, jwt/oidc, approle, aws, gcp… */
  | { kind: "auth-role"; mount: string; role: string }
  /** `auth/<mount>/{users,groups,map/teams,map/users,certs}/<name>`: inline grants of userpass, ldap, okta, github, cert… */
  | { kind: "auth-member"; mount: string; what: string; name: string }
  /** `auth/token/roles/<role>` */
  | { kind: "token-role"; role: string }
  /** `auth/token/create[-orphan][/<role>]`: a token minted by the write */
  | { kind: "token-create"; role?: string }
  /** `identity/group`, `identity/group/name/<name>`, `identity/group/id/<id>` */
  | { kind: "identity-group"; name?: string; id?: string }
  /** `identity/group-alias[/id/<id>]`: ties an identity provider's group to a Vault group */
  | { kind: "identity-group-alias" }
  /** `identity/entity`, `identity/entity/name/<name>`, `identity/entity/id/<id>` */
  | { kind: "identity-entity"; name?: string }
  /** `identity/entity-alias[/id/<id>]` */
  | { kind: "identity-entity-alias" }
  /** `<kv>/data/<key>` or `<kv>/metadata/<key>` of the KV v2 mount */
  | { kind: "kv"; key: string }
  | { kind: "other" };

/** Vault stores a policy under its name trimmed and lower-cased, and looks names up the same way. */
export function policyName(name: string): string {
  return name.trim().toLowerCase();
}

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => RawWrite]> = [
  [/^sys\/(?:policies\/acl|policy)\/([^/]+)$/, (m) => ({ kind: "policy", name: policyName(m[1]!) })],
  [/^sys\/auth\/(.+?)$/, (m) => ({ kind: "auth-enable", mount: m[1]! })],
  [/^auth\/token\/roles\/([^/]+)$/, (m) => ({ kind: "token-role", role: m[1]! })],
  [/^auth\/token\/create(?:-orphan)?(?:\/([^/]+))?$/, (m) => ({ kind: "token-create", ...(m[1] ? { role: m[1] } : {}) })],
  [/^auth\/(.+)\/config$/, (m) => ({ kind: "auth-config", mount: m[1]! })],
  [/^auth\/(.+)\/role\/([^/]+)$/, (m) => ({ kind: "auth-role", mount: m[1]!, role: m[2]! })],
  [/^auth\/(.+)\/(users|groups|map\/teams|map\/users|certs)\/([^/]+)$/, (m) => ({ kind: "auth-member", mount: m[1]!, what: m[2]!, name: m[3]! })],
  [/^identity\/group(?:\/name\/([^/]+)|\/id\/([^/]+))?$/, (m) => ({ kind: "identity-group", ...(m[1] ? { name: m[1] } : {}), ...(m[2] ? { id: m[2] } : {}) })],
  [/^identity\/group-alias(?:\/id\/[^/]+)?$/, () => ({ kind: "identity-group-alias" })],
  [/^identity\/entity(?:\/name\/([^/]+)|\/id\/[^/]+)?$/, (m) => ({ kind: "identity-entity", ...(m[1] ? { name: m[1] } : {}) })],
  [/^identity\/entity-alias(?:\/id\/[^/]+)?$/, () => ({ kind: "identity-entity-alias" })],
];

/** What a raw write to `path` does; `kvMount` is the KV v2 mount of the platform. */
export function classifyRawPath(path: string, kvMount: string): RawWrite {
  // The provider sends the path as given; Vault ignores one leading slash.
  const p = path.replace(/^\//, "");
  for (const [re, make] of PATTERNS) {
    const m = re.exec(p);
    if (m) return make(m);
  }
  const kv = new RegExp(`^${kvMount.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/(?:data|metadata)/(.+)$`).exec(p);
  return kv ? { kind: "kv", key: kv[1]! } : { kind: "other" };
}

/** Policy names a raw write hands out, under any of Vault's field names (lists or comma-separated strings). */
export function rawPolicyFields(data: Record<string, unknown>, fields = ["token_policies", "policies", "allowed_policies", "value"]): string[] {
  const list = (v: unknown) => (typeof v === "string" ? v.split(",") : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return fields.flatMap((f) => list(data[f])).map(policyName).filter(Boolean);
}
