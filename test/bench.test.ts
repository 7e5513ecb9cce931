// A smoke run of the benchmark (10 namespaces, one repetition) so that it cannot rot.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import type { ResultRow } from "../bench/run";
import { ROOT } from "./helpers";

it("npm run bench -- --smoke measures program, pack, floor and pack floor and writes results.json and a PNG", () => {
  const projectCopies = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith("bench-project-")));
  const before = projectCopies();
  const r = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["bench/run.ts", "--smoke"], { cwd: ROOT, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  // Each program measurement previews a generated copy of the project; none is left behind.
  expect([...projectCopies()].filter((d) => !before.has(d))).toEqual([]);
  const out = /wrote (\S+results\.json) and (\S+results\.png)/.exec(r.stdout);
  expect(out, r.stdout).not.toBeNull();
  const results = JSON.parse(readFileSync(out![1]!, "utf8")) as { machine: string; rows: ResultRow[] };
  expect(results.machine).toMatch(/GiB/);
  expect(results.rows).toHaveLength(1);
  const row = results.rows[0]!;
  expect(row.tenants).toBe(10);
  // 10 namespaces: 5 apps in 5 divisions, each namespace with its 5 resources and component.
  expect(row.resources).toBeGreaterThan(60);
  for (const k of ["programSeconds", "floorSeconds", "packSeconds", "packFloorSeconds", "programCpu", "floorCpu", "packCpu", "packFloorCpu", "programRssMb", "floorRssMb"] as const) expect(row[k]).toBeGreaterThan(0);
  expect(existsSync(out![2]!)).toBe(true);
  expect(readFileSync(out![2]!).subarray(1, 4).toString()).toBe("PNG");
  expect(r.stdout).toMatch(/\| 10 \| \d+ \|/);
  // The load the machine was under is part of every row.
  expect(row.load[0]).toBeLessThanOrEqual(row.load[1]);
});
