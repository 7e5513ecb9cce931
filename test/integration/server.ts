// Runs a real OpenBao server in dev mode on 127.0.0.1 for the integration tests.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers";

const ROOT_TOKEN = "root";


const CACHE = process.env.PLATFORM_SECRETS_CACHE ?? join(homedir(), ".cache/platform-secrets");

/** Where a hand-built binary is looked for when $BAO_BIN is not set (outside the repository). */
export const CACHED_BINARY = join(CACHE, "openbao/bao");

/** Where `bash ../shared/toolchain/install` unpacks upstream builds (bao, external-secrets, pulumi). */
export const TOOLCHAIN_BIN = join(CACHE, "toolchain/bin");

/**
 * CI runs the real-server suites in one of its Node passes only (.ci/run); the others set
 * PLATFORM_SECRETS_SERVER_SUITES=skip and the suites say so.
 */
export const SERVER_SUITES_SKIPPED = process.env.PLATFORM_SECRETS_SERVER_SUITES === "skip" ? "real-server suites run in CI's Node 22 pass (PLATFORM_SECRETS_SERVER_SUITES=skip)" : undefined;

/**
 * The OpenBao server binary: $BAO_BIN, the cached build, the toolchain's, or `bao` on
 * PATH. The Go module proxy refuses the OpenBao server module, so it cannot be built here.
 */
export function findServerBinary(): string | undefined {
  if (SERVER_SUITES_SKIPPED) return undefined;
  const candidates = [process.env.BAO_BIN, CACHED_BINARY, join(TOOLCHAIN_BIN, "bao"), ...(process.env.PATH ?? "").split(":").map((d) => join(d, "bao"))];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

export const NO_SERVER_BINARY =
  "no OpenBao server binary: set BAO_BIN, or put one at " +
  CACHED_BINARY +
  " or " +
  join(TOOLCHAIN_BIN, "bao") +
  " (bash ../shared/toolchain/install)" +
  ". It cannot be built from the Go module proxy here: `go list -m -versions github.com/openbao/openbao` answers " +
  "'403 Forbidden: This module version is not available.'";


export class DevServer {
  readonly token = ROOT_TOKEN;
  address = "";
  private proc?: ChildProcess;
  private log = "";

  constructor(private readonly binary: string) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.address = `http://127.0.0.1:${port}`;
    this.proc = spawn(this.binary, ["server", "-dev", `-dev-root-token-id=${ROOT_TOKEN}`, `-dev-listen-address=127.0.0.1:${port}`, "-log-level=warn"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, HOME: process.env.HOME ?? "/tmp" },
    });
    this.proc.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`server exited with ${this.proc.exitCode}:\n${this.log}`);
      try {
        const r = await fetch(`${this.address}/v1/sys/health`);
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server did not become healthy on ${this.address}:\n${this.log}`);
  }

  async stop(): Promise<void> {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc!.once("exit", resolve));
    this.proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }

  async version(): Promise<string> {
    const r = await fetch(`${this.address}/v1/sys/seal-status`);
    return String(((await r.json()) as { version?: string }).version);
  }
}
