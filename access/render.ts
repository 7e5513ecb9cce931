// Reports and diffs as text: one document model (headings, lines, tables) rendered either as an
// aligned terminal table or as Markdown for a pull-request comment.
import { ANY_SEGMENT, type AccessDiff, type PrincipalChange } from "./diff";
import { foldsDefault, groupPrincipals, listed } from "./group";
import type { AccessReport, Delivery, Grant } from "./types";

type Block = { heading: string; level: 1 | 2 } | { line: string } | { table: string[][] };

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const caps = (c: readonly string[]) => c.join(", ");
const keyLine = (d: Delivery) => d.keys.map((k) => `${k.key} <- ${k.vaultPath || "(generated)"}${k.property ? `#${k.property}` : ""}`).join("; ");

function grantRows(grants: readonly Grant[]): string[][] {
  return [["CAPABILITIES", "PATH", "MATCH", "POLICIES"], ...grants.map((g) => [caps(g.capabilities), g.path, g.match, g.policies.join(", ")])];
}

function secretRows(secrets: readonly Delivery[], all: boolean): string[][] {
  return [
    ["SECRET", "DIRECTION", "NAMESPACES", "KEYS <- VAULT PATH", "VIA"],
    ...secrets.map((d) => [
      d.secret,
      d.direction,
      `${all ? d.namespaces.join(", ") : listed(d.namespaces)}${d.refusedNamespaces?.length ? ` (store refuses ${listed(d.refusedNamespaces)})` : ""}`,
      `${keyLine(d)}${d.deniedPaths?.length ? `  DENIED: ${d.deniedPaths.join(", ")}` : ""}`,
      d.via,
    ]),
  ];
}

function reportBlocks(report: AccessReport): Block[] {
  const blocks: Block[] = [];
  const where = [`KV mount ${report.kvMount ?? "?"}/`, `default policy of ${report.server}`, ...(report.foundation ? [`foundation ${report.foundation.stack} (policies ${report.foundation.policies === "plan" ? "from its plan" : "unavailable"})`] : [])];
  blocks.push({ heading: `Access report: stack ${report.stack}`, level: 1 });
  blocks.push({ line: `${where.join(", ")}; ${count(report.principals.length, "principal")}, ${count(report.policies.length, "policy", "policies")}` });
  if (report.query) blocks.push({ line: `query: ${Object.entries(report.query).map(([k, v]) => `--${k} ${v}`).join(" ")}` });
  if (report.pathAnswer) {
    const a = report.pathAnswer;
    blocks.push({ heading: `Who reaches ${a.asked}${a.paths.length > 1 || a.paths[0] !== a.asked ? ` (asked as ${a.paths.join(" and ")})` : ""}`, level: 2 });
    blocks.push(a.reaches.length ? { table: [["PRINCIPAL", "PATH", "CAPABILITIES", "BY RULE", "OF POLICIES"], ...a.reaches.map((r) => [r.name, r.path, caps(r.capabilities), r.rule, r.policies.join(", ")])] } : { line: "nobody this stack grants" });
    if (a.secrets.length) blocks.push({ table: [["SECRET", "KEY", "DIRECTION", "NAMESPACES", "THROUGH"], ...a.secrets.map((s) => [s.secret, s.key, s.direction, listed(s.namespaces), s.principal])] });
  }
  const detailed = Boolean(report.query?.principal || report.query?.namespace);
  const folded = foldsDefault(report);
  for (const g of groupPrincipals(report)) {
    blocks.push({ heading: g.label, level: 2 });
    if (g.members.length > 1) blocks.push({ line: `namespaces: ${detailed ? g.members.map((m) => m.serviceAccount?.namespace).join(", ") : listed(g.members.map((m) => m.serviceAccount?.namespace ?? m.name), 6)}` });
    blocks.push({ line: `policies: ${g.policies.join(", ") || "(none)"}${g.unresolvedPolicies.length ? `; text unknown for ${g.unresolvedPolicies.join(", ")}` : ""}` });
    // With --principal or --namespace every grant is listed; otherwise the default policy's own paths are one line.
    const own = detailed ? g.grants : g.grants.filter((x) => !folded(x));
    const selfService = g.grants.length - own.length;
    blocks.push(own.length ? { table: grantRows(own) } : { line: "grants: none" });
    if (selfService) blocks.push({ line: `and the built-in default policy's ${selfService} self-service paths (own token, cubbyhole, wrapping, tools; --principal lists them)` });
    if (g.secrets.length) blocks.push({ table: secretRows(g.secrets, detailed) });
  }
  if (report.unattributedSecrets.length) {
    blocks.push({ heading: "Secrets no principal of this stack reads", level: 2 });
    blocks.push({ table: [["SECRET", "NAMESPACES", "WHY"], ...report.unattributedSecrets.map((d) => [d.secret, listed(d.namespaces), d.reason])] });
  }
  blocks.push({ heading: "Not in this report", level: 2 });
  for (const n of report.notes) blocks.push({ line: `- ${n}` });
  return blocks;
}

function changeRows(c: PrincipalChange): string[][] {
  const rows: string[][] = [["", "WHAT", "CAPABILITIES", "DETAIL"]];
  for (const r of c.reachAdded) rows.push(["+", r.path, caps(r.capabilities), `rule ${r.rule} of ${r.policies.join(", ")}`]);
  for (const r of c.reachRemoved) rows.push(["-", r.path, caps(r.capabilities), `rule ${r.rule} of ${r.policies.join(", ")}`]);
  for (const g of c.grantsAdded) rows.push(["+ grant", g.path, caps(g.capabilities), g.policies.join(", ")]);
  for (const g of c.grantsRemoved) rows.push(["- grant", g.path, caps(g.capabilities), g.policies.join(", ")]);
  for (const s of c.secretsAdded) rows.push(["+ secret", `${s.namespace}/${s.secret}`, s.direction, `${s.key} <- ${s.vaultPath} (${s.via})`]);
  for (const s of c.secretsRemoved) rows.push(["- secret", `${s.namespace}/${s.secret}`, s.direction, `${s.key} <- ${s.vaultPath} (${s.via})`]);
  return rows;
}

function diffBlocks(diff: AccessDiff): Block[] {
  const blocks: Block[] = [{ heading: `Access diff: stack ${diff.stack} against ${diff.base}`, level: 1 }];
  blocks.push({ line: diff.widened ? "ACCESS WIDENED: review the additions below." : diff.principals.length ? "Access only narrowed." : "No change in access." });
  if (diff.principals.some((c) => c.reachAdded.some((r) => r.path.includes(ANY_SEGMENT)))) blocks.push({ line: `(${ANY_SEGMENT} stands for any path segment no rule names)` });
  for (const c of diff.principals) {
    blocks.push({ heading: `${c.status === "changed" ? "" : `${c.status}: `}${c.name} (${c.id})`, level: 2 });
    blocks.push({ table: changeRows(c) });
  }
  if (diff.byPath.length) {
    blocks.push({ heading: "Per path", level: 2 });
    blocks.push({
      table: [
        ["RULE", "GAINED BY", "LOST BY"],
        ...diff.byPath.map((p) => [p.rule, listed(p.added.map((a) => `${a.principal} (${caps(a.capabilities)})`), 4), listed(p.removed.map((a) => `${a.principal} (${caps(a.capabilities)})`), 4)]),
      ],
    });
  }
  return blocks;
}

function toTerminal(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ("heading" in b) out.push(b.level === 1 ? `${b.heading}\n${"=".repeat(b.heading.length)}` : `\n${b.heading}`);
    else if ("line" in b) out.push(`  ${b.line}`);
    else {
      const widths = b.table[0]!.map((_, i) => Math.max(...b.table.map((r) => (r[i] ?? "").length)));
      for (const row of b.table) out.push(`  ${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}`.trimEnd());
    }
  }
  return `${out.join("\n")}\n`;
}

const cell = (s: string) => (s === "" ? " " : s.replace(/\|/g, "\\|"));

function toMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ("heading" in b) out.push(`${b.level === 1 ? "###" : "####"} ${b.heading}\n`);
    else if ("line" in b) out.push(`${b.line}\n`);
    else {
      const [head, ...rows] = b.table;
      out.push([`| ${head!.map(cell).join(" | ")} |`, `|${head!.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map((c) => cell(`\`${c}\``.replace(/^``$/, ""))).join(" | ")} |`)].join("\n") + "\n");
    }
  }
  return out.join("\n");
}

export const reportTable = (r: AccessReport) => toTerminal(reportBlocks(r));
export const reportMarkdown = (r: AccessReport) => toMarkdown(reportBlocks(r));
export const diffTable = (d: AccessDiff) => toTerminal(diffBlocks(d));
export const diffMarkdown = (d: AccessDiff) => toMarkdown(diffBlocks(d));
