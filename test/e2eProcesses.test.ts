// The end-to-end suite's way of ending a pulumi command (test/e2e/pulumi.ts), checked without the
// CLI: the CLI starts its plugins in process groups of their own within its session, which a
// process-group kill alone missed (a plugin outlived a timed-out `pulumi destroy`).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { killGroup } from "./e2e/pulumi";

/** /proc/<pid>/stat after "(comm)": state, ppid, pgrp, session, … */
function statOf(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
const alive = (pid: number) => existsSync(`/proc/${pid}`) && statOf(pid)[0] !== "Z";

describe.skipIf(!existsSync("/proc"))("ending an end-to-end command", () => {
  it("kills its whole session, a child in a process group of its own included", async () => {
    // `set -m`: the background job gets a process group of its own, as the CLI gives each plugin.
    const child = spawn("bash", ["-c", "set -m; sleep 300 & echo $!; wait"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    const grandchild = await new Promise<number>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(Number(statOf(grandchild)[2])).not.toBe(child.pid);
    expect(Number(statOf(grandchild)[3])).toBe(child.pid);
    killGroup(child, "SIGKILL");
    const deadline = Date.now() + 5_000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(grandchild)).toBe(false);
  });
});
