// The processes the offline preview starts (the program's runner, the policy pack) live no longer
// than the preview: each is a process-group leader tied to the preview by its stdin (see
// tether.cjs), and a signal that ends the preview ends their groups first. So no kill of any one
// process of the tree, -9 or -TERM, leaves another running.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

const TETHER = fileURLToPath(new URL("./tether.cjs", import.meta.url));

const live = new Set<ChildProcess>();

/**
 * `node <nodeArgs> <script> <args>` as its own process group, its stdin a pipe the preview holds
 * open (never written) and its stdout and stderr piped.
 */
export function spawnTied(node: string, nodeArgs: readonly string[], script: string, args: readonly string[], options: Pick<SpawnOptions, "cwd" | "env">): ChildProcess {
  const child = spawn(node, ["--require", TETHER, ...nodeArgs, script, ...args], { ...options, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  live.add(child);
  child.once("exit", () => live.delete(child));
  // The pipe breaks when the child dies first; that is not the preview's error.
  child.stdin?.on("error", () => undefined);
  return child;
}

/** Sends `signal` to the child's whole process group (it and whatever it started). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Gone between the check and the kill.
  }
}

/** Kills every live child's group at once: the preview is going away. */
export function killAll(): void {
  for (const child of live) signalGroup(child, "SIGKILL");
}

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Ends every child with the preview: on SIGINT, SIGTERM or SIGHUP, and when the preview's parent
 * goes away (it is re-parented: `npm run` interrupted or killed alone would otherwise leave it
 * running in the background). `end` runs after the children's groups are killed.
 */
export function endWithPreview(end: (why: string, exitCode: number) => void): void {
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.once(signal, () => {
      killAll();
      end(signal, 128 + number);
    });
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    killAll();
    end("its parent process ended", 1);
  }, 250).unref();
}
