// Builds the access report from what a preview recorded. Principals are the pack's policy
// holders (policy/holders.ts policyHolders: every role, user, group, token role, token, identity
// group and entity that ends with Vault policies), policy texts come from the pack's parser, the
// server's built-in `default` policy from policy/defaultPolicy.ts, and reach from the pack's
// evaluator (policy/acl.ts): the report and the pack cannot disagree on who holds what or on what
// a token can do, and a principal kind the pack learns to see appears here too.
import type { PolicyRule } from "../model/vaultPolicy";
import { capabilitiesAt, compileAcl, type Acl } from "../policy/acl";
import { accessDefaults } from "../policy/allowance";
import { BUILT_IN_DEFAULT, type Server } from "../policy/defaultPolicy";
import { policyHolders, type PolicyHolder } from "../policy/holders";
import { buildModel, parsePolicy, type PolicySource, type StackModel } from "../policy/model";
import { TYPES, type ResourceView } from "../policy/shapes";
import { plain, type RegisteredResource } from "../preview/record";
import { deliveryPieces, type Login as StoreLogin, type Piece } from "./deliveries";
import type { FoundationPolicies } from "./foundation";
import { REPORT_SCHEMA, type AccessReport, type Delivery, type Grant, type Login, type PolicyEntry, type Principal } from "./types";

export interface BuildOptions {
  stack: string;
  resources: readonly RegisteredResource[];
  /** Whose built-in `default` policy every token carries; `vault` unless said. */
  server?: Server;
  /** The foundation's policy texts, for a cluster stack (see access/foundation.ts). */
  foundation?: FoundationPolicies;
}

/** What stack policies see: every managed resource on its outputs (a component's registered outputs). */
export function resourceViews(resources: readonly RegisteredResource[]): ResourceView[] {
  return resources.filter((r) => !r.read).map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: plain(r.outputs), protect: r.protect }));
}

export const saId = (namespace: string, name: string, mount: string, role: string) => `sa:${namespace}/${name}@${mount}/${role}`;

interface Texts {
  byName: Map<string, { source: string; rules: PolicyRule[] }>;
  unparsable: string[];
}

const DEFAULT = "default";

async function policyTexts(model: StackModel, foundation: FoundationPolicies | undefined, server: Server): Promise<Texts> {
  const byName = new Map<string, { source: string; rules: PolicyRule[] }>();
  const unparsable: string[] = [];
  const add = async (s: PolicySource, source: string) => {
    try {
      const rules = await parsePolicy(s);
      const prior = byName.get(s.name);
      byName.set(s.name, { source: prior?.source ?? source, rules: [...(prior?.rules ?? []), ...rules] });
    } catch (err) {
      unparsable.push(`${s.name} (${s.via}): ${(err as Error).message}`);
    }
  };
  for (const s of model.policies) await add(s, "this stack");
  // The stack's own text wins over the foundation's for a name both write.
  for (const s of foundation?.sources ?? []) if (!byName.has(s.name)) await add(s, s.via);
  // A `default` the stack writes replaces the server's own, as it does on the server.
  if (!byName.has(DEFAULT)) byName.set(DEFAULT, { source: `built-in (${server})`, rules: [...BUILT_IN_DEFAULT[server]] });
  return { byName, unparsable };
}

function grantsOf(acl: Acl<string>): Grant[] {
  return acl.rules
    .map((r) => ({ path: r.key, match: r.kind, capabilities: [...r.caps].sort(), policies: [...new Set(r.sources)].sort() }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.match < b.match ? -1 : 1));
}

/** A principal's token as the evaluator sees it, from the report's own grants (a saved report included). */
export function aclOf(p: Pick<Principal, "grants">): Acl<string> {
  return compileAcl(p.grants.flatMap((g) => g.policies.map((policy) => ({ path: g.path, capabilities: g.capabilities as PolicyRule["capabilities"], source: policy }))));
}

/** Paths a delivery needs that the principal's token does not allow (read to pull; create or update to push). */
function deniedPaths(acl: Acl<string>, d: Delivery): string[] {
  const ok = (path: string) => {
    const caps = capabilitiesAt(acl, path);
    return d.direction === "read" ? caps.includes("read") : caps.includes("create") || caps.includes("update");
  };
  return [...new Set(d.keys.map((k) => k.vaultPath).filter((p) => p && !p.includes(" (find") && !ok(p)))];
}

/** Pieces of one Secret (same object, store, keys) over many namespaces become one delivery. */
function group(pieces: readonly Piece[]): Delivery[] {
  const out = new Map<string, Delivery>();
  for (const p of pieces) {
    const key = JSON.stringify([p.direction, p.secret, p.via, p.store, p.keys]);
    let d = out.get(key);
    if (!d) out.set(key, (d = { direction: p.direction, secret: p.secret, namespaces: [], keys: p.keys, via: p.via, store: p.store }));
    if (p.refused) (d.refusedNamespaces ??= []).push(p.namespace);
    else d.namespaces.push(p.namespace);
  }
  return [...out.values()];
}

const push = <T>(m: Map<string, T[]>, key: string, value: T) => (m.get(key) ?? m.set(key, []).get(key)!).push(value);

const loginId = (l: StoreLogin) => saId(l.namespace, l.serviceAccount, l.mount, l.role);

type Identity = Pick<Principal, "id" | "kind" | "name" | "serviceAccount" | "login" | "group">;

function loginOf(l: NonNullable<PolicyHolder["login"]>): Login {
  return { method: l.method, mount: l.mount, [l.what]: l.name };
}

/** A holder's stable id, its name for people, and how it logs in. */
function identify(h: PolicyHolder, aliases: NonNullable<Principal["group"]>["aliases"]): Identity {
  const b = h.binding;
  if (b) {
    const at = `${b.mount}/${b.role}`;
    const login: Login = { method: "kubernetes", mount: b.mount, role: b.role };
    if (b.kind === "service-account") return { id: saId(b.namespace, b.name, b.mount, b.role), kind: h.kind, name: `${b.name}@${b.namespace}`, serviceAccount: { namespace: b.namespace, name: b.name }, login };
    if (b.kind === "selector") return { id: `sa-pattern:${at}:selector`, kind: h.kind, name: `any ServiceAccount in namespaces selected by ${b.selector} via ${at}`, login };
    return { id: `sa-pattern:${b.namespaces}/${b.names}@${at}`, kind: h.kind, name: `any ServiceAccount "${b.names}" in namespaces "${b.namespaces}" via ${at}`, login };
  }
  if (h.kind === "identity-group") return { id: `group:${h.group}`, kind: h.kind, name: `group ${h.group}`, group: { name: h.group!, aliases } };
  if (h.kind === "identity-group-member") return { id: `group-member:${h.group}:${h.principal}`, kind: h.kind, name: h.principal };
  if (h.login) {
    const l = h.login;
    const what = l.method === "token" ? "token role" : `${l.method === "unknown" ? "auth" : l.method} ${l.what}`;
    return { id: `${h.kind}:${l.mount}/${l.name}`, kind: h.kind, name: `${what} ${l.name} at auth/${l.mount}`, login: loginOf(l) };
  }
  const prefix = h.kind === "token" ? "token" : h.kind === "identity-entity" ? "entity" : "other";
  return { id: `${prefix}:${h.principal}`, kind: h.kind, name: h.principal };
}

export async function buildReport(opts: BuildOptions): Promise<AccessReport> {
  const views = resourceViews(opts.resources);
  const model = buildModel(views);
  const server = opts.server ?? "vault";
  const texts = await policyTexts(model, opts.foundation, server);
  const principals = new Map<string, Principal>();
  const acls = new Map<string, Acl<string>>();
  const policySets = new Map<string, { grants: Grant[]; unresolved: string[] }>();

  const reach = (policies: readonly string[]) => {
    const key = [...new Set(policies)].sort().join("\n");
    if (!policySets.has(key)) {
      const known = policies.filter((p) => texts.byName.has(p));
      const acl = compileAcl(known.flatMap((p) => texts.byName.get(p)!.rules.map((r) => ({ ...r, source: p }))));
      policySets.set(key, { grants: grantsOf(acl), unresolved: [...new Set(policies.filter((p) => !texts.byName.has(p)))].sort() });
    }
    return policySets.get(key)!;
  };
  const add = (p: Omit<Principal, "grants" | "unresolvedPolicies" | "secrets">) => {
    if (principals.has(p.id)) return;
    const { grants, unresolved } = reach(p.policies);
    principals.set(p.id, { ...p, unresolvedPolicies: unresolved, grants, secrets: [] });
  };

  const aliases = opts.resources.filter((r) => r.type === "vault:identity/groupAlias:GroupAlias" && !r.read);
  const aliasesOf = (urn: string) =>
    aliases
      .filter((a) => (a.propertyDependencies.canonicalId ?? []).includes(urn))
      .map((a) => {
        const o = plain(a.outputs) as { name?: unknown; mountAccessor?: unknown };
        return { name: String(o.name ?? a.name), ...(typeof o.mountAccessor === "string" ? { mountAccessor: o.mountAccessor } : {}) };
      });
  const kvMount = model.foundationKvMount ?? kvMountOf(views) ?? "secret";
  for (const h of policyHolders(views, accessDefaults({ kvMount }))) {
    const held = [...new Set(h.policies.map((p) => p.name))];
    // Every token carries the built-in default policy unless its role or creator says not to.
    const policies = h.noDefaultPolicy || held.includes(DEFAULT) ? held : [...held, DEFAULT];
    add({ ...identify(h, h.kind === "identity-group" ? aliasesOf(h.urn) : []), grantedBy: h.grantedBy, policies });
  }
  for (const p of principals.values()) acls.set(p.id, aclOf(p));

  const unattributed: AccessReport["unattributedSecrets"] = [];
  const pieces = deliveryPieces(views, model);
  const byPrincipal = new Map<string, Piece[]>();
  const byReason = new Map<string, Piece[]>();
  for (const piece of pieces) {
    const id = piece.login ? loginId(piece.login) : undefined;
    if (id && principals.has(id)) push(byPrincipal, id, piece);
    else {
      const reason = piece.unattributed ?? `${piece.store} logs in as ${piece.login!.serviceAccount}@${piece.login!.namespace} through ${piece.login!.mount}/${piece.login!.role}, which no role of this stack binds`;
      push(byReason, reason, piece);
    }
  }
  for (const [reason, list] of byReason) for (const d of group(list)) unattributed.push({ ...d, reason });
  for (const [id, list] of byPrincipal) {
    const acl = acls.get(id)!;
    principals.get(id)!.secrets = group(list).map((d) => {
      const denied = deniedPaths(acl, d);
      return denied.length ? { ...d, deniedPaths: denied } : d;
    });
  }

  const ordered = [...principals.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const policies: PolicyEntry[] = [...texts.byName.entries()]
    .map(([name, t]) => ({ name, source: t.source, rules: t.rules.map((r) => ({ path: r.path, capabilities: [...r.capabilities] })), heldBy: ordered.filter((p) => p.policies.includes(name)).map((p) => p.id) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));

  const notes = [
    `Every token carries the built-in \`default\` policy as ${server === "vault" ? "Vault" : "OpenBao"} ships it (--server ${server}) unless its role sets token_no_default_policy; a \`default\` rewritten on the server outside this program is not seen. Its templated paths (identity/entity/id/{{identity.entity.id}}) stand for the token's own entity.`,
    "Identity groups and entities stand for their members' tokens, which carry `default` unless the role they log in through disables it.",
    "Namespaces are those this stack declares; a namespace created outside it that a selector matches would get the same Secrets.",
    ...texts.unparsable.map((u) => `policy ${u}: cannot be parsed; it grants nothing in this report`),
    ...(opts.foundation?.unavailable ? [`foundation stack ${opts.foundation.stack}: policy texts unavailable (${opts.foundation.unavailable}); its policies are listed as unresolved`] : []),
  ];
  const kv = model.foundationKvMount ?? kvMountOf(views);
  return {
    schema: REPORT_SCHEMA,
    stack: opts.stack,
    server,
    ...(kv ? { kvMount: kv } : {}),
    ...(opts.foundation ? { foundation: { stack: opts.foundation.stack, policies: opts.foundation.unavailable ? "unavailable" : "plan" } } : {}),
    principals: ordered,
    policies,
    unattributedSecrets: unattributed,
    notes,
  };
}

function kvMountOf(views: readonly ResourceView[]): string | undefined {
  const v2 = (r: ResourceView) => r.props.type === "kv-v2" || (r.props.type === "kv" && (r.props.options as { version?: unknown } | undefined)?.version === "2");
  const mount = views.find((r) => r.type === TYPES.mount && v2(r) && typeof r.props.path === "string");
  return mount ? String(mount.props.path) : undefined;
}
