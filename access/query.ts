// Narrowing a report: `--principal`, `--namespace`, and `--path` (the reverse question: every
// principal that reaches one Vault path, through which rule, and the Secrets fed from it).
import { capabilitiesAt, winningRule } from "../policy/acl";
import { aclOf } from "./build";
import { loginName } from "./group";
import type { AccessReport, PathAnswer, Principal } from "./types";

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

/** Every name a principal answers to: its id, `sa@namespace`, its role, user or group (`name`, `mount/name`), its identity group and aliases. */
export function namesOf(p: Principal): string[] {
  return [
    p.id,
    p.name,
    ...(p.login ? [loginName(p.login), `${p.login.mount}/${loginName(p.login)}`] : []),
    ...(p.group ? [p.group.name, `group:${p.group.name}`, ...p.group.aliases.map((a) => a.name)] : []),
  ];
}

export function selectPrincipals(report: AccessReport, wanted: string): Principal[] {
  const found = report.principals.filter((p) => namesOf(p).includes(wanted));
  if (found.length === 0) {
    const near = report.principals.flatMap(namesOf).filter((n, i, all) => all.indexOf(n) === i && (n.includes(wanted) || wanted.includes(n.split("@")[0]!)));
    throw new QueryError(`no principal of stack ${report.stack} is "${wanted}"${near.length ? `; did you mean ${near.slice(0, 5).map((n) => `"${n}"`).join(", ")}?` : ""} (give sa@namespace, a role, user or group, mount/name, or an identity group)`);
  }
  return found;
}

/** KV v2 API prefixes: a path under the mount without one of them is the `vault kv` spelling. */
const KV_API = new Set(["data", "metadata", "delete", "undelete", "destroy", "config", "subkeys"]);

export function apiPaths(path: string, kvMount: string | undefined): string[] {
  const clean = path.replace(/^\/+/, "");
  if (!kvMount || !clean.startsWith(`${kvMount}/`)) return [clean];
  const rest = clean.slice(kvMount.length + 1);
  if (KV_API.has(rest.split("/")[0]!)) return [clean];
  return [`${kvMount}/data/${rest}`, `${kvMount}/metadata/${rest}`];
}

export function answerPath(report: AccessReport, path: string): PathAnswer {
  const paths = apiPaths(path, report.kvMount);
  const reaches: PathAnswer["reaches"] = [];
  for (const p of report.principals) {
    const acl = aclOf(p);
    for (const at of paths) {
      const capabilities = capabilitiesAt(acl, at);
      if (capabilities.length === 0) continue;
      const rule = winningRule(acl, at)!;
      reaches.push({ principal: p.id, name: p.name, path: at, capabilities, rule: rule.key, policies: [...new Set(rule.sources)].sort() });
    }
  }
  const secrets = report.principals.flatMap((p) =>
    p.secrets.flatMap((d) => d.keys.filter((k) => paths.includes(k.vaultPath)).map((k) => ({ principal: p.id, secret: d.secret, namespaces: d.namespaces, key: k.key, direction: d.direction }))),
  );
  return { asked: path, paths, reaches, secrets };
}

/** The report narrowed to what the query names; every format renders the result. */
export function narrow(report: AccessReport, q: { principal?: string; namespace?: string; path?: string }): AccessReport {
  let principals = report.principals;
  let unattributed = report.unattributedSecrets;
  // Secrets no principal reads belong to no principal's answer, nor to a path's.
  if (q.principal || q.path) unattributed = [];
  if (q.principal) principals = selectPrincipals(report, q.principal);
  if (q.namespace) {
    const ns = q.namespace;
    const inNs = <T extends { namespaces: string[] }>(d: T): T | undefined => (d.namespaces.includes(ns) ? { ...d, namespaces: [ns] } : undefined);
    principals = principals
      .map((p) => ({ ...p, secrets: p.secrets.map(inNs).filter((d) => d !== undefined) }))
      .filter((p) => p.serviceAccount?.namespace === ns || p.secrets.length > 0);
    unattributed = unattributed.map(inNs).filter((d) => d !== undefined);
    if (principals.length === 0 && unattributed.length === 0 && !report.principals.some((p) => p.secrets.some((d) => d.refusedNamespaces?.includes(ns)))) {
      throw new QueryError(`stack ${report.stack} binds no principal in namespace "${ns}" and delivers no Secret there`);
    }
  }
  const narrowed: AccessReport = { ...report, principals, unattributedSecrets: unattributed, query: q };
  if (q.path) {
    const answer = answerPath(narrowed, q.path);
    const ids = new Set([...answer.reaches.map((r) => r.principal), ...answer.secrets.map((s) => s.principal)]);
    return { ...narrowed, principals: principals.filter((p) => ids.has(p.id)), pathAnswer: answer };
  }
  return narrowed;
}
