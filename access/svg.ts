// The picture: principals (grouped, see group.ts) down the side, Vault paths across the top,
// each cell the capabilities the group holds there. Paths are gathered under a common prefix
// when there are more than fit, so a fleet of 1,000 namespaces stays one readable page.
import { foldsDefault, groupPrincipals, type PrincipalGroup } from "./group";
import type { AccessReport, Grant } from "./types";

const MAX_COLUMNS = 40;
const CELL = 30;
const ROW = 32;
const LABEL = 430;
const SECRETS = 170;

const LETTER: Record<string, string> = { create: "c", read: "r", update: "u", patch: "p", delete: "d", list: "l", sudo: "s", deny: "✕" };
const WRITES = new Set(["create", "update", "patch", "delete", "sudo"]);

/** Row labels fit the label column (about 6.6 px a character at 12 px). */
const clip = (s: string) => (s.length > 62 ? `${s.slice(0, 61)}…` : s);

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The first `depth` segments of a grant path, `…` marking what was folded. */
function columnOf(path: string, depth: number): string {
  const segs = path.split("/");
  return segs.length <= depth ? path : `${segs.slice(0, depth).join("/")}/…`;
}

/** The deepest prefix length that keeps the number of columns within MAX_COLUMNS. */
function columns(grants: readonly Grant[]): { depth: number; names: string[] } {
  const paths = [...new Set(grants.map((g) => g.path))];
  const deepest = Math.max(1, ...paths.map((p) => p.split("/").length));
  for (let depth = deepest; depth >= 1; depth--) {
    const names = [...new Set(paths.map((p) => columnOf(p, depth)))].sort();
    if (names.length <= MAX_COLUMNS || depth === 1) return { depth, names };
  }
  return { depth: 1, names: [] };
}

function colour(capabilities: ReadonlySet<string>): string {
  if (capabilities.has("deny") && capabilities.size === 1) return "#bdbdbd";
  if ([...capabilities].some((c) => WRITES.has(c))) return "#f4a259";
  if (capabilities.has("read")) return "#8cc084";
  return "#9ecae1";
}

/** The column of the grants only the built-in default policy decides: one, however many paths. */
const DEFAULT_COLUMN = "(built-in default policy)";

function cellOf(g: PrincipalGroup, column: string, depth: number, folded: (x: Grant) => boolean): { caps: Set<string>; count: number } | undefined {
  const hits = g.grants.filter((x) => (column === DEFAULT_COLUMN ? folded(x) : !folded(x) && columnOf(x.path, depth) === column));
  if (hits.length === 0) return undefined;
  return { caps: new Set(hits.flatMap((h) => h.capabilities)), count: hits.length };
}

export function reportSvg(report: AccessReport): string {
  const groups = groupPrincipals(report);
  const folded = foldsDefault(report);
  const all = groups.flatMap((g) => g.grants);
  const { depth, names: pathNames } = columns(all.filter((x) => !folded(x)));
  const names = all.some(folded) ? [...pathNames, DEFAULT_COLUMN] : pathNames;
  // Column names are written at -55 degrees: about 6.6 px a character, sin 55 up and cos 55 across.
  const longest = 6.6 * Math.max(10, ...names.map((n) => n.length));
  const top = 60 + Math.min(420, longest * 0.82);
  const width = Math.max(900, LABEL + names.length * CELL + Math.max(SECRETS, longest * 0.58) + 20);
  const height = top + groups.length * ROW + 100;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="16" font-weight="bold">${esc(`Who can reach what: stack ${report.stack}`)}</text>`);
  out.push(`<text x="10" y="42" fill="#555">${esc(`${report.principals.length} principals in ${groups.length} rows; ${names.length} path columns${depth < Math.max(...pathNames.map((n) => n.split("/").length)) || pathNames.some((n) => n.endsWith("/…")) ? ` (paths folded after ${depth} segments, cell number = paths folded)` : ""}`)}</text>`);
  names.forEach((n, i) => {
    const x = LABEL + i * CELL + CELL / 2;
    out.push(`<text transform="translate(${x},${top - 6}) rotate(-55)" font-family="DejaVu Sans Mono, monospace" font-size="11">${esc(n)}</text>`);
  });
  groups.forEach((g, r) => {
    const y = top + r * ROW;
    if (r % 2 === 0) out.push(`<rect x="0" y="${y}" width="${width}" height="${ROW}" fill="#f6f6f6"/>`);
    const [who, via] = g.label.split(" via ");
    out.push(`<text x="10" y="${y + 13}"><title>${esc(g.members.map((m) => m.id).join("\n"))}</title>${esc(clip(who!))}</text>`);
    if (via) out.push(`<text x="10" y="${y + 27}" font-size="10" fill="#666">${esc(clip(`via ${via}`))}</text>`);
    names.forEach((n, i) => {
      const c = cellOf(g, n, depth, folded);
      const x = LABEL + i * CELL;
      out.push(`<rect x="${x}" y="${y}" width="${CELL}" height="${ROW}" fill="none" stroke="#e0e0e0"/>`);
      if (!c) return;
      const letters = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny"].filter((k) => c.caps.has(k)).map((k) => LETTER[k]).join("");
      out.push(`<rect x="${x + 1}" y="${y + 1}" width="${CELL - 2}" height="${ROW - 2}" fill="${colour(c.caps)}"><title>${esc(`${n}: ${[...c.caps].sort().join(", ")}${c.count > 1 ? ` (${c.count} paths)` : ""}`)}</title></rect>`);
      out.push(`<text x="${x + CELL / 2}" y="${y + 20}" text-anchor="middle" font-size="${letters.length > 3 ? 8 : 11}">${esc(letters)}${c.count > 1 ? `<tspan font-size="8" dy="-4">${c.count}</tspan>` : ""}</text>`);
    });
    const nss = new Set(g.secrets.flatMap((d) => d.namespaces));
    const denied = g.secrets.some((d) => d.deniedPaths?.length);
    out.push(`<text x="${LABEL + names.length * CELL + 10}" y="${y + 20}" fill="${denied ? "#c0392b" : "#333"}">${esc(g.secrets.length ? `${g.secrets.length} Secret${g.secrets.length > 1 ? "s" : ""} in ${nss.size} ns${denied ? " (some denied)" : ""}` : "none")}</text>`);
  });
  const ly = top + groups.length * ROW + 30;
  const legend: Array<[string, string]> = [
    ["#8cc084", "read"],
    ["#9ecae1", "list only"],
    ["#f4a259", "writes (c u p d s)"],
    ["#bdbdbd", "deny"],
  ];
  legend.forEach(([fill, text], i) => {
    out.push(`<rect x="${10 + i * 170}" y="${ly}" width="14" height="14" fill="${fill}"/><text x="${30 + i * 170}" y="${ly + 12}">${esc(text)}</text>`);
  });
  out.push(`<text x="10" y="${ly + 34}" fill="#555">${esc("c create · r read · u update · p patch · d delete · l list · s sudo · ✕ deny; right: the Kubernetes Secrets each row ends up with.")}</text>`);
  out.push(`<text x="10" y="${ly + 52}" fill="#555">${esc("Rows group principals with the same login role and grants; hover a row for its members, a cell for its paths.")}</text>`);
  out.push(`</svg>`);
  return `${out.join("\n")}\n`;
}
