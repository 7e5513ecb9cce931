// Issue 23: `npm run preview` is a tree of processes (npm, the preview, the program on Pulumi's
// runner, the pack on run-policy-pack). Killing any single one of them, with -9 or -TERM, as an
// OOM killer, a CI timeout or a supervisor does, must end the whole tree: none may run on
// re-parented to PID 1. Nor may SIGINT to npm alone let the preview finish in the background.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "./helpers";

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmdline: string;
}

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      found.push({ pid: Number(entry), ppid: Number(ppid), state: state!, cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ") });
    } catch {
      // Gone while listing.
    }
  }
  return found;
}

/** `root` and its descendants, by parent pid. */
function tree(root: number): Proc[] {
  const all = processes();
  const members = all.filter((p) => p.pid === root);
  for (let i = 0; i < members.length; i++) members.push(...all.filter((p) => p.ppid === members[i]!.pid));
  return members;
}

/** Running: present and not a zombie waiting to be reaped. */
function running(pids: readonly number[]): Proc[] {
  return processes().filter((p) => pids.includes(p.pid) && p.state !== "Z");
}

const ROLES = {
  program: (p: Proc) => p.cmdline.includes("cmd/run/index.js"),
  pack: (p: Proc) => p.cmdline.includes("run-policy-pack"),
  preview: (p: Proc) => p.cmdline.includes("preview/cli.ts"),
} as const;

async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits a few seconds for `pids` to end: far less than the preview takes to finish its work, so
 * a process left running is seen as such, not mistaken for one that ended with its job.
 */
function untilEnded(pids: readonly number[]): Promise<unknown> {
  return until("every process of the tree to end", 8, () => (running(pids).length === 0 ? true : undefined)).catch(() => undefined);
}

let seen: number[] = [];
const scratch: string[] = [];

afterEach(() => {
  // A failed case must not leave its tree behind for the next one.
  for (const p of running(seen)) process.kill(p.pid, "SIGKILL");
  seen = [];
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `npm run preview` of the foundation stack, once the program and the pack are both running. */
async function previewTree(): Promise<{ npm: ChildProcess; members: Proc[] }> {
  const out = mkdtempSync(join(tmpdir(), "tree-out-"));
  scratch.push(out);
  const npm = spawn("npm", ["run", "--silent", "preview", "--", "--stack", "vault", "--out", join(out, "vault")], { cwd: ROOT, stdio: "ignore" });
  const members = await until("the program and the pack", 180, () => {
    const t = tree(npm.pid!);
    seen = [...new Set([...seen, ...t.map((p) => p.pid)])];
    return t.some(ROLES.program) && t.some(ROLES.pack) ? t : undefined;
  });
  return { npm, members };
}

describe("Feature: platform-secrets, Property 23.4: no kill of one process of the preview's tree leaves another running", () => {
  const targets = ["npm", "preview", "program", "pack"] as const;
  const cases = targets.flatMap((target) => (["SIGKILL", "SIGTERM"] as const).map((signal) => [target, signal] as const));

  it.each(cases)("kill %s with %s", async (target, signal) => {
    const { npm, members } = await previewTree();
    const victim = target === "npm" ? npm.pid! : members.find(ROLES[target])!.pid;
    process.kill(victim, signal);
    const pids = members.map((p) => p.pid);
    await untilEnded(pids);
    expect(running(pids).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
  });

  it("SIGINT to npm alone ends the preview, the program and the pack (none finishes in the background)", async () => {
    const { npm, members } = await previewTree();
    process.kill(npm.pid!, "SIGINT");
    const pids = members.map((p) => p.pid);
    await untilEnded(pids);
    expect(running(pids).map((p) => `${p.pid} ${p.cmdline}`)).toEqual([]);
    // npm itself ends too (it is not left waiting on anything).
    const npmEnded = await new Promise<boolean>((resolve) => {
      if (npm.exitCode !== null || npm.signalCode !== null) resolve(true);
      npm.once("exit", () => resolve(true));
      setTimeout(() => resolve(false), 8000);
    });
    expect(npmEnded).toBe(true);
  });
});
