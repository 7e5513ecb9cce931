// The real Pulumi CLI for the end-to-end suite: where it is found, the environment it runs in (a
// local file backend in a temporary directory, never the user's own state) and each command as a
// process group that the suite can always end.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { TOOLCHAIN_BIN } from "../integration/server";

/** The resource plugins the program uses, at the versions package-lock.json pins. */
export const PLUGINS = [
  { name: "vault", version: "7.8.0" },
  { name: "random", version: "4.21.2" },
  { name: "kubernetes", version: "4.34.2" },
] as const;

const onPath = (name: string): string | undefined =>
  (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((d) => join(d, name))
    .find((p) => existsSync(p));

export interface PulumiTools {
  pulumi: string;
  /** `pulumi-language-nodejs`: the CLI finds its language host on PATH. */
  languageHost: string;
  /** Plugin binaries to register with `pulumi plugin install --file` (the toolchain's), or none: the user's PULUMI_HOME has them. */
  pluginFiles: Array<{ name: string; version: string; file: string }>;
}

/** $PULUMI_BIN, the toolchain's build, or `pulumi` on PATH; with its language host beside it or on PATH. */
export function findPulumi(): { tools: PulumiTools; missing?: undefined } | { tools?: undefined; missing: string } {
  const pulumi = [process.env.PULUMI_BIN, join(TOOLCHAIN_BIN, "pulumi"), onPath("pulumi")].find((c): c is string => c !== undefined && existsSync(c));
  if (!pulumi) return { missing: `no pulumi CLI: set PULUMI_BIN, put pulumi on PATH, or run bash ../shared/toolchain/install (unpacks it to ${TOOLCHAIN_BIN})` };
  const host = [join(dirname(pulumi), "pulumi-language-nodejs"), onPath("pulumi-language-nodejs")].find((c): c is string => c !== undefined && existsSync(c));
  if (!host) return { missing: `no pulumi-language-nodejs beside ${pulumi} or on PATH (it ships with the Pulumi CLI; bash ../shared/toolchain/install unpacks one)` };
  const pluginFiles = PLUGINS.map((p) => ({ ...p, file: join(TOOLCHAIN_BIN, `pulumi-resource-${p.name}`) })).filter((p) => existsSync(p.file));
  return { tools: { pulumi, languageHost: host, pluginFiles } };
}

export interface PulumiResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Every pulumi command still running: its group is killed when the test process exits. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

/**
 * The processes of a session. `detached` makes each command a session leader; the CLI then starts
 * each resource plugin in a process group of its own, but in that session, so killing the group
 * alone leaves a plugin behind when the CLI dies without stopping it (seen on a timeout).
 */
function sessionMembers(sid: number): number[] {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm)": state, ppid, pgrp, session.
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]) === sid ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** Ends a command: its process group and every other process of its session. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  for (const pid of [-child.pid, ...sessionMembers(child.pid)]) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export interface PulumiEnvOptions {
  tools: PulumiTools;
  /** The temporary directory: the backend (state) lives in it. */
  dir: string;
  /** PULUMI_HOME when the toolchain's plugins are registered: a cache kept between runs, so each run does not copy them again. */
  home: string;
  extraEnv: Record<string, string>;
}

/** The real CLI, in an environment of its own: file backend under `dir`, passphrase secrets, no update check. */
export class Pulumi {
  readonly env: NodeJS.ProcessEnv;

  constructor(private readonly o: PulumiEnvOptions) {
    const backend = join(o.dir, "state");
    mkdirSync(backend, { recursive: true });
    // The language host alone on PATH: the toolchain keeps the resource plugins beside it, and the
    // CLI would take plugins from PATH before PULUMI_HOME (it warns "using … from $PATH").
    const bin = join(o.dir, "bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(o.tools.languageHost, join(bin, "pulumi-language-nodejs"));
    this.env = {
      ...process.env,
      PATH: [bin, dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "platform-secrets-e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true",
      // The toolchain's plugins are registered in a PULUMI_HOME of the suite's; a user's own CLI
      // keeps its own home, where its plugins were installed the ordinary way.
      ...(o.tools.pluginFiles.length ? { PULUMI_HOME: o.home } : {}),
      ...o.extraEnv,
    };
  }

  /** Registers the toolchain's plugin binaries that PULUMI_HOME does not have yet. */
  async registerPlugins(): Promise<string[]> {
    if (!this.o.tools.pluginFiles.length) return [];
    const listed = await this.run(["plugin", "ls", "--json"], { cwd: this.o.dir });
    const have = new Set((JSON.parse(listed.stdout || "[]") as Array<{ name: string; version: string; kind: string }>).map((p) => `${p.kind}/${p.name}@${p.version}`));
    const installed: string[] = [];
    for (const p of this.o.tools.pluginFiles) {
      if (have.has(`resource/${p.name}@${p.version}`)) continue;
      const r = await this.run(["plugin", "install", "resource", p.name, p.version, "--file", p.file], { cwd: this.o.dir });
      if (r.code !== 0) throw new Error(`pulumi plugin install resource ${p.name} ${p.version} --file ${p.file} exited ${r.code}:\n${r.stderr}`);
      installed.push(`${p.name}@${p.version}`);
    }
    return installed;
  }

  /** One command, its own process group, killed (group and all) after `timeoutMs`. Never throws on a non-zero exit. */
  run(args: string[], opts: { cwd: string; timeoutMs?: number; env?: Record<string, string> }): Promise<PulumiResult> {
    const t0 = Date.now();
    const timeoutMs = opts.timeoutMs ?? 600_000;
    return new Promise((resolve, reject) => {
      const child = spawn(this.o.tools.pulumi, [...args, "--non-interactive"], { cwd: opts.cwd, env: { ...this.env, ...opts.env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      live.add(child);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        stderr += `\n[e2e] pulumi ${args.join(" ")} killed after ${timeoutMs} ms`;
        killGroup(child, "SIGKILL");
      }, timeoutMs);
      child.once("error", (err) => {
        clearTimeout(timer);
        live.delete(child);
        reject(err);
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        live.delete(child);
        // The group may hold plugins the CLI left behind when it was killed.
        killGroup(child, "SIGKILL");
        resolve({ args, code: code ?? (signal ? 128 : -1), stdout, stderr, ms: Date.now() - t0 });
      });
    });
  }

  /** Like run, but a non-zero exit is a failure of the step, shown with the CLI's output. */
  async must(args: string[], opts: { cwd: string; timeoutMs?: number; env?: Record<string, string> }): Promise<PulumiResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code} after ${r.ms} ms:\n${r.stderr.slice(-6000)}\n${r.stdout.slice(-6000)}`);
    return r;
  }

  /** Ends every command still running (the suite is stopping). */
  static killAll(): void {
    for (const child of live) killGroup(child, "SIGKILL");
  }
}

/** `pulumi version`, for the log line. */
export async function pulumiVersion(p: Pulumi, cwd: string): Promise<string> {
  return (await p.run(["version"], { cwd })).stdout.trim();
}
