// The External Secrets Operator controller run as a process next to a test control plane, the
// way its Deployment runs inside a cluster: same binary, same flags, a kubeconfig instead of the
// in-cluster ServiceAccount. One controller per control plane; the test owns its lifetime.
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { TOOLCHAIN_BIN } from "../integration/server";
import { Proc } from "../k8s/cluster";
import type { ControlPlane } from "./platform";

/** $ESO_BIN, the toolchain's build (`bash ../shared/toolchain/install`), or `external-secrets` on PATH. */
export function findControllerBinary(): string | undefined {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "external-secrets"));
  return [process.env.ESO_BIN, join(TOOLCHAIN_BIN, "external-secrets"), ...onPath].find((c): c is string => c !== undefined && existsSync(c));
}

export const NO_CONTROLLER_BINARY = `no external-secrets controller binary: set ESO_BIN, or run bash ../shared/toolchain/install (unpacks it to ${TOOLCHAIN_BIN})`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The controller's flags. Ports: metrics on an ephemeral loopback port and no health endpoint,
 * so two controllers (one per control plane) never collide. Debug logging: the "skipping
 * refresh" lines are how a test sees that a reconcile happened and deliberately changed nothing.
 */
const ARGS = ["--metrics-addr=127.0.0.1:0", "--live-addr=0", "--enable-leader-election=false", "--loglevel=debug", "--zap-time-encoding=iso8601"];

export class EsoController {
  private proc?: Proc;
  /** Log length when the current process started: `log()` reads from there. */
  private logOffset = 0;
  readonly logFile: string;

  constructor(
    readonly binary: string,
    readonly cluster: ControlPlane,
  ) {
    this.logFile = join(cluster.dir, "external-secrets.log");
  }

  /** Starts the controller and waits until its ExternalSecret workers run. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.logOffset = existsSync(this.logFile) ? readFileSync(this.logFile).length : 0;
    this.proc = new Proc("external-secrets", this.binary, ARGS, this.logFile, { ...process.env, KUBECONFIG: this.cluster.kubeconfig });
    const deadline = Date.now() + timeoutMs;
    while (!/"Starting workers".*"controller":"externalsecret"/.test(this.log())) {
      if (this.proc.exited) throw new Error(`external-secrets exited (${this.proc.child.exitCode ?? this.proc.child.signalCode}):\n${this.log().slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`external-secrets not started after ${timeoutMs / 1000} s:\n${this.log().slice(-4000)}`);
      await sleep(200);
    }
  }

  /** The running controller's process id. */
  get pid(): number {
    const pid = this.proc?.child.pid;
    if (pid === undefined || this.proc!.exited) throw new Error("external-secrets is not running");
    return pid;
  }

  /** Stops the process group; a stopped controller reconciles nothing until started again. */
  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  /** A fresh process: its informers list every object again, so everything is reconciled once. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The current process's last log lines about one object, for a failure message. */
  linesAbout(namespace: string, name: string, count = 12): string {
    return this.log()
      .split("\n")
      .filter((l) => l.includes(`"name":"${name}","namespace":"${namespace}"`) || l.includes(`"namespace":"${namespace}","name":"${name}"`))
      .slice(-count)
      .map((l) => l.slice(0, 600))
      .join("\n");
  }

  /** What the current process has logged so far. */
  log(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logOffset).toString("utf8");
    } catch {
      return "";
    }
  }
}
