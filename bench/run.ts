// `npm run bench [-- --sizes 10,100,1000 --reps 5 --out bench]`, or `--smoke` (10 namespaces, one
// repetition, written to a temporary directory). Each measurement runs in its own process, on
// the preview's real path: programs on @pulumi/pulumi/cmd/run, the pack on run-policy-pack.
import { execFileSync } from "node:child_process";
import { cpus, tmpdir, totalmem } from "node:os";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

interface Sample {
  mode: "program" | "pack" | "floor" | "pack-floor";
  namespaces: number;
  resources: number;
  seconds: number;
  /** CPU seconds (user + system) of the measured process tree: load-independent, unlike seconds. */
  cpu: number;
  rssMb: number;
  /** 1-minute load average before and after the measurement. */
  load: [number, number];
}

export interface ResultRow {
  tenants: number;
  resources: number;
  resourcesPerTenant: number;
  programSeconds: number;
  floorSeconds: number;
  packSeconds: number;
  /** The same requests answered by bench/packFloor (no rules): what the protocol itself costs. */
  packFloorSeconds: number;
  programCpu: number;
  floorCpu: number;
  packCpu: number;
  packFloorCpu: number;
  programRssMb: number;
  floorRssMb: number;
  programSpread: [number, number];
  floorSpread: [number, number];
  packSpread: [number, number];
  /** Lowest and highest 1-minute load average seen around this size's measurements. */
  load: [number, number];
  reps: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const spread = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];

function measure(mode: Sample["mode"], namespaces: number, file: string): Sample {
  const out = execFileSync(join(process.cwd(), "node_modules/.bin/tsx"), ["bench/worker.ts", mode, String(namespaces), file], { encoding: "utf8", maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").pop()!) as Sample;
}

function row(samples: Sample[], reps: number): ResultRow {
  const of = (m: Sample["mode"]) => samples.filter((s) => s.mode === m);
  const program = of("program");
  const tenants = program[0]!.namespaces;
  return {
    tenants,
    resources: program[0]!.resources,
    resourcesPerTenant: program[0]!.resources / tenants,
    programSeconds: median(program.map((s) => s.seconds)),
    floorSeconds: median(of("floor").map((s) => s.seconds)),
    packSeconds: median(of("pack").map((s) => s.seconds)),
    packFloorSeconds: median(of("pack-floor").map((s) => s.seconds)),
    programCpu: median(program.map((s) => s.cpu)),
    floorCpu: median(of("floor").map((s) => s.cpu)),
    packCpu: median(of("pack").map((s) => s.cpu)),
    packFloorCpu: median(of("pack-floor").map((s) => s.cpu)),
    programRssMb: median(program.map((s) => s.rssMb)),
    floorRssMb: median(of("floor").map((s) => s.rssMb)),
    programSpread: spread(program.map((s) => s.seconds)),
    floorSpread: spread(of("floor").map((s) => s.seconds)),
    packSpread: spread(of("pack").map((s) => s.seconds)),
    load: spread(samples.flatMap((s) => s.load)),
    reps,
  };
}

const f = (x: number, d = 2) => x.toFixed(d);

function table(rows: ResultRow[]): string {
  const head = "| tenant namespaces | resources | per namespace | program s (min–max) | floor s (min–max) | program/floor time | pack s | pack/program | pack floor s | pack floor/program | program CPU s | floor CPU s | program/floor CPU | pack CPU s | pack/program CPU | program RSS MB | floor RSS MB | program/floor RSS | program ms/namespace | load avg (min–max) |";
  const lines = [head, `|${"---|".repeat(20)}`];
  for (const r of rows) {
    lines.push(
      `| ${r.tenants} | ${r.resources} | ${f(r.resourcesPerTenant)} | ${f(r.programSeconds)} (${f(r.programSpread[0])}–${f(r.programSpread[1])}) | ${f(r.floorSeconds)} (${f(r.floorSpread[0])}–${f(r.floorSpread[1])}) | ${f(r.programSeconds / r.floorSeconds)} | ${f(r.packSeconds, 3)} | ${f((100 * r.packSeconds) / r.programSeconds, 1)}% | ${f(r.packFloorSeconds, 3)} | ${f((100 * r.packFloorSeconds) / r.programSeconds, 1)}% | ${f(r.programCpu)} | ${f(r.floorCpu)} | ${f(r.programCpu / r.floorCpu)} | ${f(r.packCpu)} | ${f((100 * r.packCpu) / r.programCpu, 1)}% | ${f(r.programRssMb, 0)} | ${f(r.floorRssMb, 0)} | ${f(r.programRssMb / r.floorRssMb)} | ${f((1000 * r.programSeconds) / r.tenants)} | ${f(r.load[0], 1)}–${f(r.load[1], 1)} |`,
    );
  }
  return lines.join("\n");
}

function targets(rows: ResultRow[]): string[] {
  const big = rows.find((r) => r.tenants === 1000);
  const mid = rows.find((r) => r.tenants === 100);
  if (!big || !mid) return ["targets need the 100 and 1000 rows"];
  const check = (label: string, value: number, limit: number) => `${value <= limit ? "met   " : "MISSED"} ${label}: ${f(value)} (target <= ${limit})`;
  return [
    check("program/floor time at 1000", big.programSeconds / big.floorSeconds, 1.15),
    check("program/floor peak RSS at 1000", big.programRssMb / big.floorRssMb, 1.25),
    check("pack/program time at 1000", big.packSeconds / big.programSeconds, 0.1),
    check("program/floor CPU at 1000 (load-independent)", big.programCpu / big.floorCpu, 1.15),
    check("pack/program CPU at 1000 (load-independent)", big.packCpu / big.programCpu, 0.1),
    `  (not a target) pack floor/program time at 1000: ${f(big.packFloorSeconds / big.programSeconds)}; the pack's rules above that floor: ${f((big.packSeconds - big.packFloorSeconds) / big.programSeconds)}`,
    check("time per namespace 1000 vs 100", big.programSeconds / big.tenants / (mid.programSeconds / mid.tenants), 1.5),
  ];
}

async function chart(rows: ResultRow[], file: string): Promise<void> {
  const values = rows.flatMap((r) => [
    { tenants: r.tenants, metric: "time (s)", series: "program", value: r.programSeconds },
    { tenants: r.tenants, metric: "time (s)", series: "floor", value: r.floorSeconds },
    { tenants: r.tenants, metric: "time (s)", series: "policy pack", value: r.packSeconds },
    { tenants: r.tenants, metric: "time (s)", series: "pack floor (no rules)", value: r.packFloorSeconds },
    { tenants: r.tenants, metric: "peak RSS (MB)", series: "program", value: r.programRssMb },
    { tenants: r.tenants, metric: "peak RSS (MB)", series: "floor", value: r.floorRssMb },
  ]);
  const spec: TopLevelSpec = {
    data: { values },
    facet: { column: { field: "metric", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "tenants", type: "quantitative", scale: { type: "log" }, title: "tenant namespaces" },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "series", type: "nominal" },
      },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  writeFileSync(file, new Resvg(svg, { font: { loadSystemFonts: true }, background: "white" }).render().asPng());
}

const args = parseArgs({ options: { sizes: { type: "string", default: "10,100,1000" }, reps: { type: "string", default: "5" }, out: { type: "string", default: "bench" }, smoke: { type: "boolean", default: false } } }).values;
const sizes = args.smoke ? [10] : args.sizes!.split(",").map(Number);
const reps = args.smoke ? 1 : Number(args.reps);
const outDir = args.smoke ? mkdtempSync(join(tmpdir(), "bench-smoke-")) : args.out!;
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "bench-work-"));

const machine = `${cpus().length} x ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`platform-secrets bench on ${machine}: sizes ${sizes.join(", ")}, ${reps} repetition(s), each measurement in its own process (programs on cmd/run, the pack over the Analyzer protocol)`);
const rows: ResultRow[] = [];
for (const n of sizes) {
  const samples: Sample[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const file = join(work, `resources-${n}-${rep}.json`);
    for (const mode of ["program", "pack", "floor", "pack-floor"] as const) samples.push(measure(mode, n, file));
  }
  rows.push(row(samples, reps));
  const r = rows.at(-1)!;
  console.log(`  ${n} namespaces: program ${f(r.programSeconds)}s (${f(r.programCpu)} CPU s), floor ${f(r.floorSeconds)}s (${f(r.floorCpu)} CPU s), pack ${f(r.packSeconds, 3)}s (${f(r.packCpu)} CPU s), pack floor ${f(r.packFloorSeconds, 3)}s (${f(r.packFloorCpu)} CPU s), load ${f(r.load[0], 1)}–${f(r.load[1], 1)}`);
}
console.log(`\n${table(rows)}\n`);
if (!args.smoke) for (const t of targets(rows)) console.log(t);
writeFileSync(join(outDir, "results.json"), `${JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2)}\n`);
await chart(rows, join(outDir, "results.png"));
rmSync(work, { recursive: true, force: true });
console.log(`wrote ${join(outDir, "results.json")} and ${join(outDir, "results.png")}`);
