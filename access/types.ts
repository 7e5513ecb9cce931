// The access report: who can reach which Vault paths, with which capabilities, and which
// Kubernetes Secrets each principal ends up with. This is the JSON document `npm run access
// -- --format json` prints; access/schema/access-report.schema.json describes it for other tools.
import type { HolderKind } from "../policy/holders";
import type { Server } from "../policy/defaultPolicy";

/**
 * Changes only when a field changes meaning or disappears; additions keep it. @2: principals
 * are every holder of Vault policies the pack sees (new kinds, `login` of any method), and every
 * principal's policies and grants include the server's built-in `default` policy.
 */
export const REPORT_SCHEMA = "platform-secrets/access-report@2";

/** The pack's holder kinds (policy/holders.ts), one source of truth. */
export type PrincipalKind = HolderKind;

/** How the principal's token is obtained: one of role, user or group names the login. */
export interface Login {
  /** `kubernetes`, `approle`, `userpass`, `ldap`, `okta`, `jwt`, `oidc`, `token` (a token role)… or `unknown` */
  method: string;
  mount: string;
  role?: string;
  user?: string;
  group?: string;
}

export interface Grant {
  /** The policy path as Vault matches it (leading slash removed); `+` and a trailing `*` are wildcards. */
  path: string;
  match: "exact" | "prefix" | "segment";
  /** Capabilities after merging every policy's rules on this path; `["deny"]` when one denies. */
  capabilities: string[];
  /** Policies whose rules on this path were merged. */
  policies: string[];
}

export interface SecretKey {
  /** Key in the Kubernetes Secret (`*` when ESO copies every property of the Vault secret). */
  key: string;
  /** The Vault API path ESO reads or writes (`<mount>/data/<key>` on KV v2). */
  vaultPath: string;
  property?: string;
}

export interface Delivery {
  /** `read`: Vault -> Secret (ExternalSecret); `write`: Secret -> Vault (PushSecret). */
  direction: "read" | "write";
  secret: string;
  /** Namespaces the Secret is in, after ClusterExternalSecret selectors and store conditions. */
  namespaces: string[];
  keys: SecretKey[];
  /** The ESO object that produces it: `ExternalSecret ns/name`, `ClusterExternalSecret name`, `PushSecret ns/name`. */
  via: string;
  /** `SecretStore ns/name` or `ClusterSecretStore name`. */
  store: string;
  /** Namespaces the object selects but the store's conditions refuse: ESO never syncs there. */
  refusedNamespaces?: string[];
  /** Vault paths this delivery needs that the principal's grants do not allow: ESO would fail on them. */
  deniedPaths?: string[];
}

export interface Principal {
  /**
   * Stable key: `sa:<ns>/<name>@<mount>/<role>`, `sa-pattern:…`, `<kind>:<mount>/<name>` for a
   * login of another method (`approle:approle/ci`, `userpass-user:userpass/alice`),
   * `group:<name>`, `group-member:<group>:<who>`, `token:…`, `entity:…`, `other:…`.
   */
  id: string;
  kind: PrincipalKind;
  /** How people name it: `app-eso@apps-payments-checkout-api-dev`, `group vault-admins-dc`, `approle role ci at auth/approle`. */
  name: string;
  serviceAccount?: { namespace: string; name: string };
  login?: Login;
  group?: { name: string; aliases: Array<{ name: string; mountAccessor?: string }> };
  /** What the pack calls it and what hands it its policies (policy/holders.ts). */
  grantedBy: string;
  /** Policy names the principal's token carries, as the stack grants them, and `default` unless the role disables it. */
  policies: string[];
  /** Policies whose text the report does not know (written outside this program and its foundation). */
  unresolvedPolicies: string[];
  grants: Grant[];
  secrets: Delivery[];
}

export interface PolicyEntry {
  name: string;
  /** `this stack`, `foundation stack <name>`, or `built-in (<server>)` for the server's default policy. */
  source: string;
  rules: Array<{ path: string; capabilities: string[] }>;
  /** Principal ids whose tokens carry it. */
  heldBy: string[];
}

export interface AccessReport {
  schema: typeof REPORT_SCHEMA;
  stack: string;
  /** Whose built-in `default` policy text the report assumes (`--server`). */
  server: Server;
  kvMount?: string;
  foundation?: { stack: string; policies: "plan" | "unavailable" };
  principals: Principal[];
  policies: PolicyEntry[];
  /** Secrets whose store logs in as no principal this stack binds, or that come from generators. */
  unattributedSecrets: Array<Delivery & { reason: string }>;
  notes: string[];
  /** Present when the report was narrowed by `--principal`, `--namespace` or `--path`. */
  query?: { principal?: string; namespace?: string; path?: string };
  pathAnswer?: PathAnswer;
}

/** `--path`: who reaches one Vault path, through which rule; the Secrets fed from it. */
export interface PathAnswer {
  /** As asked; a KV v2 path without `data/` is also asked as its `data/` and `metadata/` API paths. */
  asked: string;
  paths: string[];
  reaches: Array<{ principal: string; name: string; path: string; capabilities: string[]; rule: string; policies: string[] }>;
  secrets: Array<{ principal: string; secret: string; namespaces: string[]; key: string; direction: "read" | "write" }>;
}

