// Builds the access report from what a preview recorded. Principals and their policies come from
// the pack's own model (policy/model.ts buildModel), policy texts from the pack's parser, and
// reach from the pack's evaluator (policy/acl.ts): the report and the pack cannot disagree on
// what a token can do, and a principal kind the pack learns to see appears here too.
import type { PolicyRule } from "../model/vaultPolicy";
import { capabilitiesAt, compileAcl, type Acl } from "../policy/acl";
import { buildModel, parsePolicy, type PolicySource, type StackModel } from "../policy/model";
import { TYPES, type ResourceView } from "../policy/shapes";
import { plain, type RegisteredResource } from "../preview/record";
import { deliveryPieces, type Login, type Piece } from "./deliveries";
import type { FoundationPolicies } from "./foundation";
import { REPORT_SCHEMA, type AccessReport, type Delivery, type Grant, type PolicyEntry, type Principal } from "./types";

export interface BuildOptions {
  stack: string;
  resources: readonly RegisteredResource[];
  /** The foundation's policy texts, for a cluster stack (see access/foundation.ts). */
  foundation?: FoundationPolicies;
}

/** What stack policies see: every managed resource on its outputs (a component's registered outputs). */
export function resourceViews(resources: readonly RegisteredResource[]): ResourceView[] {
  return resources.filter((r) => !r.read).map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: plain(r.outputs), protect: r.protect }));
}

const GLOB = /[*]/;

export const saId = (namespace: string, name: string, mount: string, role: string) => `sa:${namespace}/${name}@${mount}/${role}`;

interface Texts {
  byName: Map<string, { source: string; rules: PolicyRule[] }>;
  unparsable: string[];
}

async function policyTexts(model: StackModel, foundation: FoundationPolicies | undefined): Promise<Texts> {
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

const loginId = (l: Login) => saId(l.namespace, l.serviceAccount, l.mount, l.role);

export async function buildReport(opts: BuildOptions): Promise<AccessReport> {
  const views = resourceViews(opts.resources);
  const model = buildModel(views);
  const texts = await policyTexts(model, opts.foundation);
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

  for (const role of model.kubernetesRoles) {
    const login = { method: "kubernetes" as const, mount: role.mount, role: role.role };
    const at = `${role.mount}/${role.role}`;
    if (role.namespaceSelector) {
      add({ id: `sa-pattern:${at}:selector`, kind: "service-account-pattern", name: `any ServiceAccount in namespaces selected by ${role.namespaceSelector} via ${at}`, login, policies: role.policies });
    }
    for (const ns of role.namespaces) {
      for (const sa of role.names) {
        if (GLOB.test(ns) || GLOB.test(sa)) {
          add({ id: `sa-pattern:${ns}/${sa}@${at}`, kind: "service-account-pattern", name: `any ServiceAccount "${sa}" in namespaces "${ns}" via ${at}`, login, policies: role.policies });
        } else {
          add({ id: saId(ns, sa, role.mount, role.role), kind: "service-account", name: `${sa}@${ns}`, serviceAccount: { namespace: ns, name: sa }, login, policies: role.policies });
        }
      }
    }
  }

  const byUrn = new Map(opts.resources.map((r) => [r.urn, r]));
  const aliases = opts.resources.filter((r) => r.type === "vault:identity/groupAlias:GroupAlias" && !r.read);
  for (const grant of model.otherGrants) {
    const r = byUrn.get(grant.urn);
    if (r?.type === TYPES.identityGroup) {
      const name = String(plain(r.outputs).name ?? r.name);
      const own = aliases
        .filter((a) => (a.propertyDependencies.canonicalId ?? []).includes(r.urn))
        .map((a) => {
          const o = plain(a.outputs) as { name?: unknown; mountAccessor?: unknown };
          return { name: String(o.name ?? a.name), ...(typeof o.mountAccessor === "string" ? { mountAccessor: o.mountAccessor } : {}) };
        });
      add({ id: `group:${name}`, kind: "identity-group", name: `group ${name}`, group: { name, aliases: own }, policies: grant.policies });
    } else {
      add({ id: `other:${grant.principal}`, kind: "other", name: grant.principal, policies: grant.policies });
    }
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
    "Tokens from an auth role also carry Vault's built-in `default` policy unless the role sets token_no_default_policy; its text lives on the server and is not in this report.",
    "Namespaces are those this stack declares; a namespace created outside it that a selector matches would get the same Secrets.",
    ...texts.unparsable.map((u) => `policy ${u}: cannot be parsed; it grants nothing in this report`),
    ...(opts.foundation?.unavailable ? [`foundation stack ${opts.foundation.stack}: policy texts unavailable (${opts.foundation.unavailable}); its policies are listed as unresolved`] : []),
  ];
  const kv = model.foundationKvMount ?? kvMountOf(views);
  return {
    schema: REPORT_SCHEMA,
    stack: opts.stack,
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
