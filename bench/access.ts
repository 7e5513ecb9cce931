// `npm run bench:access [-- --reps 3 --namespaces 1000 --out bench/access-results.json]`: the time
// of `npm run access` against `npm run preview` of the same stack (each run its own process, as a
// user starts them, alternating), on the shipped stacks and on a generated fleet; and the sizes
// of the report in each format. CPU seconds (user + system of the child, from /proc) are given
// beside wall time because they do not grow with other work on the machine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchProject } from "./catalogue";

const ROOT = process.cwd();
const TSX = join(ROOT, "node_modules/.bin/tsx");
const args = parseArgs({ options: { reps: { type: "string", default: "3" }, namespaces: { type: "string", default: "1000" }, out: { type: "string", default: "bench/access-results.json" } } }).values;
const reps = Number(args.reps);

const loadAverage = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
function childCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return (f[13]! + f[14]!) / 100;
}

interface Run {
  seconds: number;
  cpu: number;
  load: number;
  stdout: string;
}

function run(cli: string, cwd: string, cliArgs: string[]): Run {
  const load = loadAverage();
  const c0 = childCpu();
  const t0 = performance.now();
  const r = spawnSync(TSX, [join(ROOT, cli), ...cliArgs], { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${cli} ${cliArgs.join(" ")} exited ${r.status}:\n${r.stderr}`);
  return { seconds, cpu: childCpu() - c0, load, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number, d = 2) => x.toFixed(d);

const work = mkdtempSync(join(tmpdir(), "bench-access-"));
const fleet = benchProject(ROOT, "bench", Number(args.namespaces));
const targets: Array<{ label: string; stack: string; root: string }> = [
  ...["vault", "spoke-dc-v6", "spoke-dc-v7"].map((stack) => ({ label: stack, stack, root: ROOT })),
  { label: `${args.namespaces} tenant namespaces`, stack: "bench", root: fleet },
];
const rows = [];
try {
  for (const t of targets) {
    const preview: Run[] = [];
    const access: Run[] = [];
    for (let i = 0; i < reps; i++) {
      preview.push(run("preview/cli.ts", t.root, ["--stack", t.stack, "--out", join(work, `preview-${t.stack}`)]));
      access.push(run("access/cli.ts", t.root, ["--stack", t.stack, "--out", join(work, `access-${t.stack}`), "--format", "json"]));
    }
    const dir = join(work, `access-${t.stack}`);
    const sizes = {
      json: Buffer.byteLength(access.at(-1)!.stdout),
      svg: statSync(join(dir, "access.svg")).size,
      table: Buffer.byteLength(run("access/cli.ts", t.root, ["--stack", t.stack, "--out", dir]).stdout),
      markdown: Buffer.byteLength(run("access/cli.ts", t.root, ["--stack", t.stack, "--out", dir, "--format", "markdown"]).stdout),
    };
    const row = {
      target: t.label,
      reps,
      previewSeconds: preview.map((r) => r.seconds),
      accessSeconds: access.map((r) => r.seconds),
      previewCpu: preview.map((r) => r.cpu),
      accessCpu: access.map((r) => r.cpu),
      ratio: median(access.map((r) => r.seconds)) / median(preview.map((r) => r.seconds)),
      cpuRatio: median(access.map((r) => r.cpu)) / median(preview.map((r) => r.cpu)),
      load: [Math.min(...[...preview, ...access].map((r) => r.load)), Math.max(...[...preview, ...access].map((r) => r.load))],
      principals: (JSON.parse(access.at(-1)!.stdout) as { principals: unknown[] }).principals.length,
      sizes,
    };
    rows.push(row);
    console.log(`${t.label}: preview ${f(median(row.previewSeconds))}s, access ${f(median(row.accessSeconds))}s (x${f(row.ratio)}; CPU x${f(row.cpuRatio)}), load ${f(row.load[0]!, 1)}-${f(row.load[1]!, 1)}, ${row.principals} principals, json ${sizes.json} B, svg ${sizes.svg} B, table ${sizes.table} B, markdown ${sizes.markdown} B`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  rmSync(fleet, { recursive: true, force: true });
}
writeFileSync(args.out!, `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
console.log(`wrote ${args.out}`);
