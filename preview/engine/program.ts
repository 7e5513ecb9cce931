// Starts the program the way the Node.js language host does for `pulumi preview`: `node
// <nodeargs> <@pulumi/pulumi/cmd/run> --monitor … --engine … <entry>` in the directory of
// `main`, config in PULUMI_CONFIG, against the in-process RecordingEngine.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { spawnTied } from "./children";
import { pulumiConfigVar, splitArgs, type ProjectFile, type StackConfigEnv } from "./project";

/** The exit code with which the SDK says "the error was already logged to the engine". */
export const EXIT_LOGGED = 32;

export interface ProgramProcess {
  exitCode: number;
  /** The signal that ended it, when one did. */
  signal?: NodeJS.Signals;
  stdout: string;
  stderr: string;
  /** The exact command line, for reports. */
  argv: string[];
  /** Peak resident set (VmHWM) of the program process, when sampled. */
  peakRssMb?: number;
}

export interface LaunchOptions {
  root: string;
  project: ProjectFile;
  stack: string;
  organization: string;
  env: StackConfigEnv;
  /** `127.0.0.1:<port>` of the RecordingEngine (monitor and engine services). */
  address: string;
  /** The language host passes the engine's `--parallel` (default: unbounded). */
  parallel?: number;
  /** Extra environment (tests, benchmarks). */
  extraEnv?: Record<string, string>;
  node?: string;
  /** Sample the program's peak RSS from /proc while it runs (benchmarks). */
  sampleRss?: boolean;
}

/** VmHWM of a live process in MB; undefined once it has gone. */
function peakRss(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves a module from a directory as the language host's `locateModule` does. */
export function locateModule(module: string, fromDir: string): string {
  return createRequire(join(fromDir, "noop.js")).resolve(module);
}

function programArgv(opts: LaunchOptions): { nodeArgs: string[]; script: string; args: string[] } {
  const p = opts.project;
  return {
    nodeArgs: splitArgs(p.options.nodeargs),
    script: locateModule("@pulumi/pulumi/cmd/run", p.programDirectory),
    args: [
      "--monitor", opts.address,
      "--engine", opts.address,
      "--organization", opts.organization,
      "--project", p.name,
      "--root-directory", opts.root,
      "--stack", opts.stack,
      "--pwd", p.programDirectory,
      "--dry-run",
      "--parallel", String(opts.parallel ?? 2147483647),
      p.entryPoint,
    ],
  };
}

/** The program's process, as soon as it is started: `result` settles when it has exited. */
export interface RunningProgram {
  child: ChildProcess;
  result: Promise<ProgramProcess>;
}

export function launchProgram(opts: LaunchOptions): RunningProgram {
  const { nodeArgs, script, args } = programArgv(opts);
  const argv = [...nodeArgs, script, ...args];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG: pulumiConfigVar(opts.env.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(opts.env.secretKeys),
    ...(opts.project.options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
    ...(opts.project.options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: opts.project.options.tsconfig } : {}),
    ...opts.extraEnv,
  };
  const child = spawnTied(opts.node ?? process.execPath, nodeArgs, script, args, { cwd: opts.project.programDirectory, env });
  const result = new Promise<ProgramProcess>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let peak = 0;
    // VmHWM only grows, so the last sample before exit is within one interval of the peak.
    const sampler = opts.sampleRss ? setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 20) : undefined;
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearInterval(sampler);
      resolve({ exitCode: code ?? (signal ? 128 : 1), ...(signal ? { signal } : {}), stdout, stderr, argv, ...(opts.sampleRss ? { peakRssMb: peak } : {}) });
    });
  });
  return { child, result };
}
