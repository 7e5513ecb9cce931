// A failing program must leave the runner at once. The runner reports every error with
// util.inspect(err, { colors: true }); on Node 20 and 22 that loops to V8's string limit on a
// stack frame directly under a scope (`node_modules/@pulumi/resource.ts`), which the SDK's own
// source maps give every SDK frame (seen: 32 s and 3 GB per config error; 130-170 s and 3.6 GB
// per failed StackReference). infra/stackFrames.ts keeps those frames as the shipped .js files.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PreviewError, previewStack } from "../preview/run";
import { fixtureProject, ownFoundationStack, PREVIEW_COMMAND, ROOT, SEED_TENANTS } from "./helpers";

/** An error raised inside the SDK, as Pulumi's runner would see it: source-map-support installed first. */
function sdkErrorIn(child: { fix: boolean }): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import { createRequire } from "node:module";
    import { inspect } from "node:util";
    const require = createRequire(${JSON.stringify(join(ROOT, "node_modules/@pulumi/pulumi/cmd/run/index.js"))});
    require("source-map-support/register");
    ${child.fix ? `(await import(${JSON.stringify(join(ROOT, "infra/stackFrames.ts"))})).keepDependencyFramesAsShipped();` : ""}
    const pulumi = require("@pulumi/pulumi");
    let err;
    try { new pulumi.Config("x").require("missing"); } catch (e) { err = e; }
    console.log(err.stack.split("\\n").find((l) => l.includes("node_modules")));
    console.log(inspect(err, { colors: true }).length > 0);
  `;
  // A small heap: the loop would take the process down in seconds instead of growing to 3 GB.
  const r = spawnSync(process.execPath, ["--max-old-space-size=96", "--import=tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the program's stack frames", () => {
  it("name the SDK's shipped files, which Node's inspect formats at once", () => {
    const fixed = sdkErrorIn({ fix: true });
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(/node_modules\/@pulumi\/pulumi\/config\.js:\d+:\d+/);
    expect(fixed.stdout).toContain("true");
  });

  it("without it, the SDK's source maps put them directly under the scope", () => {
    const mapped = spawnSync(process.execPath, ["--import=tsx", "--input-type=module", "-e", `
      import { createRequire } from "node:module";
      const require = createRequire(${JSON.stringify(join(ROOT, "node_modules/@pulumi/pulumi/cmd/run/index.js"))});
      require("source-map-support/register");
      try { new (require("@pulumi/pulumi").Config)("x").require("missing"); } catch (e) { console.log(e.stack); }
    `], { cwd: ROOT, encoding: "utf8" });
    expect(mapped.stdout).toMatch(/node_modules\/@pulumi\/config\.ts:\d+:\d+/);
  });
});

describe("a failing program on Pulumi's own runner", () => {
  it("a config error ends without the runner's inspect running away (peak RSS of the program)", async () => {
    const root = fixtureProject({ "stacks/Pulumi.bad.yaml": ownFoundationStack({ "platform-secrets:vault": { address: "https://v:8200" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const failed = await previewStack({ root, stack: "bad", sampleRss: true }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PreviewError);
    const { message, program } = failed as PreviewError;
    expect(message).toMatch(/^stacks\/Pulumi\.bad\.yaml:\d+: platform-secrets:vault\.egressCidrs: is required/);
    expect(program?.exitCode).toBe(32);
    // A healthy failed run peaks near 200 MB; the runaway inspect grew past 3 GB.
    expect(program?.peakRssMb).toBeGreaterThan(0);
    expect(program?.peakRssMb).toBeLessThan(800);
  });

  it("a StackReference the engine cannot read ends as quickly, with one message naming the setting", async () => {
    const root = fixtureProject({ "stacks/Pulumi.c.yaml": ownFoundationStack({ "platform-secrets:foundation": { stack: "acme/other-project/vault" } }), "stacks/tenants.yaml": SEED_TENANTS });
    const failed = await previewStack({ root, stack: "c", sampleRss: true }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PreviewError);
    const { message, program } = failed as PreviewError;
    expect(message).toBe(
      "stacks/Pulumi.c.yaml:10: platform-secrets:foundation.stack: foundation stack acme/other-project/vault cannot be read: acme/other-project/vault is not a stack of organization/platform-secrets; the offline preview reads only those (from stacks/): read it with `pulumi preview`",
    );
    expect(program?.peakRssMb).toBeLessThan(800);
  });
});

/** Wall time and peak memory of a process and everything it starts, sampled from /proc. */
interface Usage {
  code: number | null;
  stderr: string;
  seconds: number;
  /** Peak of the tree's summed resident set. */
  peakMb: number;
}

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // Gone while listing.
    }
  }
  return found;
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function measure(args: string[], cwd: string): Promise<Usage> {
  const started = performance.now();
  const [node, ...nodeArgs] = PREVIEW_COMMAND;
  const child = spawn(node, [...nodeArgs, ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  let peakMb = 0;
  const sampler = setInterval(() => {
    const tree = [child.pid!, ...childrenOf(child.pid!)];
    peakMb = Math.max(peakMb, tree.reduce((sum, pid) => sum + rssMb(pid), 0));
  }, 100);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearInterval(sampler);
      resolve({ code, stderr, seconds: (performance.now() - started) / 1000, peakMb });
    }),
  );
}

describe("Feature: platform-secrets, Property 23.3: a failing preview ends within 2x the time and memory of a successful one", () => {
  let root: string;
  let success: Usage;
  beforeAll(async () => {
    root = fixtureProject({
      "stacks/Pulumi.ok.yaml": ownFoundationStack(),
      "stacks/Pulumi.bad.yaml": ownFoundationStack({ "platform-secrets:cluster": { name: "bad", apiServer: "https://api.bad.example:6443" }, "platform-secrets:vault": { address: "https://other.example:8200" } }),
      "stacks/Pulumi.elsewhere.yaml": ownFoundationStack({ "platform-secrets:cluster": { name: "elsewhere", apiServer: "https://api.elsewhere.example:6443" }, "platform-secrets:foundation": { stack: "acme/other-project/vault" } }),
      "stacks/tenants.yaml": SEED_TENANTS,
    });
    success = await measure(["--stack", "ok", "--out", "out/ok"], root);
    expect(success.code, success.stderr).toBe(0);
  });

  it.each([
    ["a command-line mistake", ["--stack", "o/k/../x"]],
    ["a config error", ["--stack", "bad"]],
    ["a foundation the engine cannot read", ["--stack", "elsewhere"]],
  ])("%s", async (_what, args) => {
    const failed = await measure(args, root);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.seconds).toBeLessThan(2 * success.seconds);
    expect(failed.peakMb).toBeLessThan(2 * success.peakMb);
  });
});
