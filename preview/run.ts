// One offline `pulumi preview --policy-pack policy` of a stack: the program through the SDK's own
// `cmd/run` against the recording engine, the pack through `run-policy-pack` and the Analyzer
// protocol. Both processes start together, as the engine starts its analyzers before the program.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { PolicyConfigError, resolveConfig } from "./evaluate";
import { signalGroup } from "./engine/children";
import { withoutTrace } from "./errorText";
import { PolicyPackProcess, type AnalyzerInfo, type Finding, type PolicyConfig } from "./engine/analyzer";
import { RecordingEngine, type Diagnostic } from "./engine/monitor";
import { EXIT_LOGGED, launchProgram, type ProgramProcess } from "./engine/program";
import { readProject, SECRET_TEXT, stackConfigEnv, type ProjectFile } from "./engine/project";
import type { RegisteredResource } from "./record";
import { ORGANIZATION } from "../model/stackReference";
import { invokeAnswer, type LiveServiceAccounts, shippedStackOutputs } from "./standIns";

export { ORGANIZATION };

export interface PackOptions {
  dir: string;
  config: PolicyPackConfig;
  configFile?: string;
}

export interface PreviewOptions {
  root: string;
  stack: string;
  /** The organization the stack runs in (default: the DIY backend's, `organization`). */
  organization?: string;
  /** Show the runner's and the pack's stack traces in errors. */
  debug?: boolean;
  /** Omit to preview without a policy pack. */
  pack?: PackOptions;
  extraEnv?: Record<string, string>;
  /** Sample the program process's peak RSS (benchmarks). */
  sampleRss?: boolean;
  /** ServiceAccounts the stand-in cluster holds (default: none, an empty cluster). */
  liveServiceAccounts?: LiveServiceAccounts;
}

export interface PreviewResult {
  stack: string;
  project: ProjectFile;
  /** `<ns>:<name>` config as handed to the program, secrets as `[secret]`. */
  config: Record<string, string>;
  resources: RegisteredResource[];
  diagnostics: Diagnostic[];
  /** The stack's exports (the root stack resource's registered outputs). */
  outputs: Record<string, unknown>;
  findings: Finding[];
  packInfo?: AnalyzerInfo;
  program: ProgramProcess;
  durationMs: number;
}

/** The program failed: the messages the engine would print, and what was registered by then. */
export class PreviewError extends Error {
  constructor(
    message: string,
    readonly registered: RegisteredResource[] = [],
    /** The program's process as it ended (exit code, output, sampled RSS). */
    readonly program?: ProgramProcess,
  ) {
    super(message);
    this.name = "PreviewError";
  }
}

/** A stack's file, relative to the project root. */
export function stackFile(project: ProjectFile, stack: string): string {
  return join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
}

/** The runner's own report of an error the program did not handle (the program's RunErrors are its bare messages). */
const UNHANDLED = /^Running program '.*' failed with an unhandled exception:/;

/**
 * The message of a failed program run, as the CLI would show it. The messages the program chose
 * (its RunErrors: a config error names file, line and key) come alone, without the runner's
 * reports of the same failure as an unhandled exception (the SDK raises a failed read or
 * registration once more that way); the runner's reports are shown without their stack
 * frames, unless `debug`.
 */
function failure(proc: ProgramProcess, diagnostics: readonly Diagnostic[], debug: boolean): string {
  const errors = [...new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim()))];
  if (debug) return [`Program exited with ${proc.signal ?? `code ${proc.exitCode}`}`, ...errors, proc.stderr.trim()].filter(Boolean).join("\n");
  const chosen = errors.filter((e) => !UNHANDLED.test(e));
  if (proc.exitCode === EXIT_LOGGED && chosen.length) return chosen.join("\n");
  if (proc.exitCode === EXIT_LOGGED && errors.length) return errors.map(withoutTrace).join("\n");
  const how = proc.signal ? `the program was killed by ${proc.signal}` : `the program exited with code ${proc.exitCode}`;
  return [how, ...errors.map(withoutTrace), withoutTrace(proc.stderr)].filter(Boolean).join("\n");
}

function packConfigFor(info: AnalyzerInfo, pack: PackOptions): PolicyConfig {
  const resolved = resolveConfig(pack.config, pack.configFile, info.policies);
  return Object.fromEntries([...resolved].map(([name, r]) => [name, { enforcementLevel: r.level, properties: r.config }]));
}

/** A pack that stopped answering: what it said, without its stack frames unless `debug`. */
function packFailure(err: unknown, pack: PolicyPackProcess | undefined, debug: boolean): PreviewError {
  const said = [err instanceof Error ? err.message : String(err), pack?.stderr().trim() ?? ""].filter(Boolean).join("\n");
  return new PreviewError(`the policy pack failed: ${debug ? said : withoutTrace(said)}`);
}

export async function previewStack(opts: PreviewOptions): Promise<PreviewResult> {
  const started = performance.now();
  const debug = opts.debug ?? false;
  const organization = opts.organization ?? ORGANIZATION;
  const project = readProject(opts.root);
  const file = stackFile(project, opts.stack);
  if (!existsSync(join(opts.root, file))) throw new PreviewError(`no stack file ${file} for stack "${opts.stack}"`);
  const env = stackConfigEnv(opts.root, file, project.name);
  const stackOutputs = shippedStackOutputs(opts.root, { organization, project: project.name });
  const engine = new RecordingEngine({
    project: project.name,
    stack: opts.stack,
    stackOutputs: (name) => stackOutputs(name) as Record<string, unknown>,
    invoke: invokeAnswer,
    ...(opts.liveServiceAccounts ? { liveServiceAccounts: opts.liveServiceAccounts } : {}),
  });
  const address = await engine.start();
  const ctx = { organization, project: project.name, stack: opts.stack, env };
  // The pack is only needed once the program has succeeded: on failure it is killed, not awaited.
  const abandonPack = new AbortController();
  const packStart = opts.pack ? PolicyPackProcess.start(opts.pack.dir, address, ctx, { signal: abandonPack.signal }) : undefined;
  let pack: PolicyPackProcess | undefined;
  try {
    const running = launchProgram({ root: opts.root, project, stack: opts.stack, organization, env, address, ...(opts.extraEnv ? { extraEnv: opts.extraEnv } : {}), ...(opts.sampleRss ? { sampleRss: true } : {}) });
    // A pack that dies (or fails to start) while the program runs stops the program: the
    // preview cannot finish, and nothing it started may outlive it.
    let packDied: unknown;
    const watch = packStart?.then((p) => p.exited.then((how) => new Error(how))).catch((err: unknown) => err);
    void watch?.then((err) => {
      if (running.child.exitCode !== null || running.child.signalCode !== null || abandonPack.signal.aborted) return;
      packDied = err;
      signalGroup(running.child, "SIGKILL");
    });
    const program = await running.result;
    if (packDied !== undefined) throw packFailure(packDied, undefined, debug);
    if (program.exitCode !== 0) throw new PreviewError(failure(program, engine.diagnostics, debug), engine.resources, program);
    const root = engine.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    let findings: Finding[] = [];
    let packInfo: AnalyzerInfo | undefined;
    if (packStart && opts.pack) {
      try {
        pack = await packStart;
        packInfo = await pack.info();
        await pack.configure(packConfigFor(packInfo, opts.pack));
        findings = await pack.analyze(engine.resources);
      } catch (err) {
        if (err instanceof PolicyConfigError) throw err;
        throw packFailure(err, pack, debug);
      }
    }
    return {
      stack: opts.stack,
      project,
      config: Object.fromEntries(Object.entries(env.config).map(([k, v]) => [k, env.secretKeys.includes(k) ? SECRET_TEXT : v])),
      resources: engine.resources,
      diagnostics: engine.diagnostics,
      outputs: root?.outputs ?? {},
      findings,
      ...(packInfo ? { packInfo } : {}),
      program,
      durationMs: performance.now() - started,
    };
  } finally {
    if (!pack) abandonPack.abort();
    pack ??= await packStart?.catch(() => undefined);
    await pack?.stop();
    await engine.stop();
  }
}
