// `npm run preview -- [--stack NAME | --all] [--out DIR] [--json] [--policy-pack-config FILE] [--debug]`
// An offline `pulumi preview --policy-pack policy`: the program runs on Pulumi's own Node.js
// runner against a recording engine, the pack on run-policy-pack over the Analyzer protocol.
// Exit 0: clean; 1: a mistake in the command line, the config or the program; 2: a mandatory
// policy failed. The command line is checked before any work (preview/args.ts).
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { ConfigError } from "../model/configError";
import { loadStack } from "../model/load";
import { parsePreviewArgs, PREVIEW_USAGE, UsageError, type PreviewArgs } from "./args";
import type { AnalyzerInfo, Finding } from "./engine/analyzer";
import { endWithPreview } from "./engine/children";
import { stackConfigEnv, type ProjectFile } from "./engine/project";
import { errorText } from "./errorText";
import { PolicyConfigError } from "./evaluate";
import { OutputDirError } from "./outputDir";
import { previewDigest, summary, writeArtifacts, type PolicyEvent, type PreviewDiagnostic } from "./render";
import { PreviewError, previewStack, stackFile, type PreviewResult } from "./run";

/** Findings as `pulumi preview` lists them: pack, level, rule, resource, message. */
export function formatFindings(findings: readonly Finding[], info: AnalyzerInfo | undefined): string {
  const pack = `${info?.name ?? "policy pack"}@v${info?.version ?? "?"}`;
  if (findings.length === 0) return `Policies:\n    ✅ ${pack}: all ${info?.policies.length ?? 0} policies passed`;
  const lines = ["Policy Violations:"];
  for (const f of findings) {
    lines.push(`    [${f.enforcementLevel}]  ${f.policyPack} v${f.policyPackVersion}  ${f.policy} (${f.urn ?? "stack"})`);
    lines.push(`    ${f.message}`);
  }
  return lines.join("\n");
}

function policyEvents(findings: readonly Finding[]): PolicyEvent[] {
  return findings.map((f) => ({
    ...(f.urn ? { resourceUrn: f.urn } : {}),
    message: f.message,
    color: "never",
    policyName: f.policy,
    policyPackName: f.policyPack,
    policyPackVersion: f.policyPackVersion,
    policyPackVersionTag: f.policyPackVersion,
    enforcementLevel: f.enforcementLevel,
  }));
}

function engineDiagnostics(run: PreviewResult): PreviewDiagnostic[] {
  const logged = run.diagnostics
    .filter((d) => !d.ephemeral && d.severity !== "debug")
    .map((d): PreviewDiagnostic => ({ ...(d.urn ? { urn: d.urn } : {}), message: d.message, severity: d.severity === "debug" ? "info" : d.severity }));
  const stdout = run.program.stdout.trim() ? [{ message: run.program.stdout, severity: "info" as const }] : [];
  return [...logged, ...stdout];
}

const hasMandatory = (findings: readonly Finding[]) => findings.some((f) => f.enforcementLevel === "mandatory");

interface RunOptions {
  root: string;
  project: ProjectFile;
  organization: string;
  stack: string;
  outDir: string;
  json: boolean;
  debug: boolean;
  packConfig: PolicyPackConfig;
  packConfigFile?: string;
}

async function previewOne(o: RunOptions): Promise<number> {
  // The program checks its config first thing too; checking here answers in a moment instead of
  // after the runner has started. The stack file as the CLI hands it over comes first: a value
  // the offline preview cannot pass (a secret the program would read, a config too large for
  // the environment) is named as such, not as the schema error it would cause.
  stackConfigEnv(o.root, stackFile(o.project, o.stack), o.project.name);
  loadStack({ root: o.root, stack: o.stack });
  const run = await previewStack({
    root: o.root,
    stack: o.stack,
    organization: o.organization,
    debug: o.debug,
    pack: { dir: join(o.root, "policy"), config: o.packConfig, ...(o.packConfigFile ? { configFile: o.packConfigFile } : {}) },
  });
  const digest = previewDigest({ resources: run.resources, config: run.config, diagnostics: engineDiagnostics(run), policyEvents: policyEvents(run.findings), durationMs: run.durationMs });
  const files = writeArtifacts(o.outDir, run.resources, digest, { projectRoot: o.root });
  const code = hasMandatory(run.findings) ? 2 : 0;
  if (o.json) {
    process.stdout.write(`${JSON.stringify(digest, null, 2)}\n`);
    return code;
  }
  const clusterOut = run.outputs.cluster as { cluster?: string; authPath?: string; tenantNamespaces?: object } | undefined;
  const foundationOut = run.outputs.foundation as { kvMount?: string; divisionPolicies?: object } | undefined;
  const header = [
    foundationOut ? `foundation: managed by this stack (KV mount ${foundationOut.kvMount}/, ${Object.keys(foundationOut.divisionPolicies ?? {}).length} divisions)` : "foundation: read from its stack (FoundationReference)",
    clusterOut ? `cluster: ${clusterOut.cluster}, auth mount ${clusterOut.authPath}, ${Object.keys(clusterOut.tenantNamespaces ?? {}).length} tenant namespaces` : "cluster: none (foundation-only stack)",
    `runner: ${run.program.argv.slice(0, 2).map((a) => a.replace(o.root, "")).join(" ")} … (${run.resources.length} registrations recorded)`,
  ];
  console.log(summary(o.stack, run.resources, header));
  for (const d of engineDiagnostics(run)) console.log(`  ${d.severity}: ${d.message.trim()}`);
  console.log(`Wrote ${files} files under ${o.outDir}/\n`);
  console.log(formatFindings(run.findings, run.packInfo));
  return code;
}

/** Errors the preview raises for the operator: their message is what to print. */
const known = (err: unknown) => err instanceof UsageError || err instanceof ConfigError || err instanceof PreviewError || err instanceof PolicyConfigError || err instanceof OutputDirError;

async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  let args: PreviewArgs;
  try {
    args = parsePreviewArgs(argv, process.cwd());
  } catch (err) {
    console.error(`error: ${errorText(err, { debug, known })}${err instanceof UsageError ? `\n${PREVIEW_USAGE}` : ""}`);
    return 1;
  }
  let code = 0;
  for (const run of args.runs) {
    try {
      code = Math.max(code, await previewOne({ root: args.root, project: args.project, ...run, json: args.json, debug: args.debug, packConfig: args.packConfig, ...(args.packConfigFile ? { packConfigFile: args.packConfigFile } : {}) }));
    } catch (err) {
      console.error(`error: stack ${run.stack}: ${errorText(err, { debug: args.debug, known })}`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

// A signal, or the parent going away (npm interrupted or killed alone), ends the preview and
// everything it started; the output of a stack is written whole or not at all.
endWithPreview((why, exitCode) => {
  console.error(`error: stopped (${why}): the program and the policy pack were stopped with it`);
  process.exit(exitCode);
});
process.exitCode = await main(process.argv.slice(2));
