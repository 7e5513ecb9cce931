// One offline `pulumi preview --policy-pack policy` of a stack: the program through the SDK's own
// `cmd/run` against the recording engine, the pack through `run-policy-pack` and the Analyzer
// protocol. Both processes start together, as the engine starts its analyzers before the program.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { resolveConfig } from "./evaluate";
import { PolicyPackProcess, type AnalyzerInfo, type Finding, type PolicyConfig } from "./engine/analyzer";
import { RecordingEngine, type Diagnostic } from "./engine/monitor";
import { EXIT_LOGGED, launchProgram, type ProgramProcess } from "./engine/program";
import { readProject, stackConfigEnv, type ProjectFile } from "./engine/project";
import type { RegisteredResource } from "./record";
import { invokeAnswer, type LiveServiceAccounts, shippedStackOutputs } from "./standIns";

export const ORGANIZATION = "organization";

export interface PackOptions {
  dir: string;
  config: PolicyPackConfig;
  configFile?: string;
}

export interface PreviewOptions {
  root: string;
  stack: string;
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
  /** `<ns>:<name>` config as handed to the program. */
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

/** The message of a failed program run, as the CLI would show it. */
function failure(proc: ProgramProcess, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim());
  if (proc.exitCode === EXIT_LOGGED && errors.length) return [...new Set(errors)].join("\n");
  return [`Program exited with non-zero exit code: ${proc.exitCode}`, ...errors, proc.stderr.trim()].filter(Boolean).join("\n");
}

function packConfigFor(info: AnalyzerInfo, pack: PackOptions): PolicyConfig {
  const resolved = resolveConfig(pack.config, pack.configFile, info.policies);
  return Object.fromEntries([...resolved].map(([name, r]) => [name, { enforcementLevel: r.level, properties: r.config }]));
}

export async function previewStack(opts: PreviewOptions): Promise<PreviewResult> {
  const started = performance.now();
  const project = readProject(opts.root);
  const file = stackFile(project, opts.stack);
  if (!existsSync(join(opts.root, file))) throw new PreviewError(`no stack file ${file} for stack "${opts.stack}"`);
  const env = stackConfigEnv(opts.root, file, project.name);
  const stackOutputs = shippedStackOutputs(opts.root);
  const engine = new RecordingEngine({
    project: project.name,
    stack: opts.stack,
    stackOutputs: (name) => {
      try {
        return stackOutputs(name) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    },
    invoke: invokeAnswer,
    ...(opts.liveServiceAccounts ? { liveServiceAccounts: opts.liveServiceAccounts } : {}),
  });
  const address = await engine.start();
  const ctx = { organization: ORGANIZATION, project: project.name, stack: opts.stack, env };
  // The pack is only needed once the program has succeeded: on failure it is killed, not awaited.
  const abandonPack = new AbortController();
  const packStart = opts.pack ? PolicyPackProcess.start(opts.pack.dir, address, ctx, { signal: abandonPack.signal }) : undefined;
  // A pack that fails to start must not leave the program's result unread, nor the reverse.
  packStart?.catch(() => undefined);
  let pack: PolicyPackProcess | undefined;
  try {
    const program = await launchProgram({ root: opts.root, project, stack: opts.stack, organization: ORGANIZATION, env, address, ...(opts.extraEnv ? { extraEnv: opts.extraEnv } : {}), ...(opts.sampleRss ? { sampleRss: true } : {}) });
    if (program.exitCode !== 0) throw new PreviewError(failure(program, engine.diagnostics), engine.resources, program);
    const root = engine.resources.find((r) => r.type === "pulumi:pulumi:Stack");
    let findings: Finding[] = [];
    let packInfo: AnalyzerInfo | undefined;
    if (packStart && opts.pack) {
      pack = await packStart;
      packInfo = await pack.info();
      await pack.configure(packConfigFor(packInfo, opts.pack));
      findings = await pack.analyze(engine.resources);
    }
    return {
      stack: opts.stack,
      project,
      config: env.config,
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
