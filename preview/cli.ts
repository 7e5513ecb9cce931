// `npm run preview -- [--stack NAME | --all] [--out DIR] [--json] [--policy-pack-config FILE]`
// An offline `pulumi preview --policy-pack policy`: the program runs on Pulumi's own Node.js
// runner against a recording engine, the pack on run-policy-pack over the Analyzer protocol.
// Exit 0: clean; 1: config or program error; 2: a mandatory policy failed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { PolicyPackConfig } from "@pulumi/policy";
import { PolicyConfigError } from "./evaluate";
import type { AnalyzerInfo, Finding } from "./engine/analyzer";
import { readProject } from "./engine/project";
import { OutputDirError } from "./outputDir";
import { previewDigest, summary, writeArtifacts, type PolicyEvent, type PreviewDiagnostic } from "./render";
import { PreviewError, previewStack, type PreviewResult } from "./run";

const USAGE = "usage: npm run preview -- [--stack <name> | --all] [--out <dir>] [--json] [--policy-pack-config <file.json>]";

/** The project, found as the Pulumi CLI finds it: the nearest `Pulumi.yaml` upward from the working directory. */
function projectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) throw new PreviewError(`no Pulumi.yaml in ${from} or any parent directory`);
  }
}

function shippedStacks(root: string): string[] {
  const dir = join(root, readProject(root).stackConfigDir);
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function readPackConfig(file: string | undefined): PolicyPackConfig {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
  } catch (err) {
    throw new PolicyConfigError(file, [(err as Error).message]);
  }
}

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

async function previewOne(root: string, stack: string, outDir: string, asJson: boolean, packConfig: PolicyPackConfig, packConfigFile?: string): Promise<number> {
  const run = await previewStack({ root, stack, pack: { dir: join(root, "policy"), config: packConfig, ...(packConfigFile ? { configFile: packConfigFile } : {}) } });
  const digest = previewDigest({ resources: run.resources, config: run.config, diagnostics: engineDiagnostics(run), policyEvents: policyEvents(run.findings), durationMs: run.durationMs });
  const files = writeArtifacts(outDir, run.resources, digest, { projectRoot: root });
  const code = hasMandatory(run.findings) ? 2 : 0;
  if (asJson) {
    process.stdout.write(`${JSON.stringify(digest, null, 2)}\n`);
    return code;
  }
  const clusterOut = run.outputs.cluster as { cluster?: string; authPath?: string; tenantNamespaces?: object } | undefined;
  const foundationOut = run.outputs.foundation as { kvMount?: string; divisionPolicies?: object } | undefined;
  const header = [
    foundationOut ? `foundation: managed by this stack (KV mount ${foundationOut.kvMount}/, ${Object.keys(foundationOut.divisionPolicies ?? {}).length} divisions)` : "foundation: read from its stack (FoundationReference)",
    clusterOut ? `cluster: ${clusterOut.cluster}, auth mount ${clusterOut.authPath}, ${Object.keys(clusterOut.tenantNamespaces ?? {}).length} tenant namespaces` : "cluster: none (foundation-only stack)",
    `runner: ${run.program.argv.slice(0, 2).map((a) => a.replace(root, "")).join(" ")} … (${run.resources.length} registrations recorded)`,
  ];
  console.log(summary(stack, run.resources, header));
  for (const d of engineDiagnostics(run)) console.log(`  ${d.severity}: ${d.message.trim()}`);
  console.log(`Wrote ${files} files under ${outDir}/\n`);
  console.log(formatFindings(run.findings, run.packInfo));
  return code;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        stack: { type: "string", default: "spoke-dc-v6" },
        all: { type: "boolean", default: false },
        out: { type: "string" },
        json: { type: "boolean", default: false },
        "policy-pack-config": { type: "string" },
      },
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const packConfigFile = args["policy-pack-config"];
  let packConfig: PolicyPackConfig;
  try {
    packConfig = readPackConfig(packConfigFile);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  let root: string;
  try {
    root = projectRoot(process.cwd());
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  const stacks = args.all ? shippedStacks(root) : [args.stack!];
  let code = 0;
  for (const stack of stacks) {
    const outDir = args.out && !args.all ? args.out : join(args.out ?? "out", stack);
    try {
      code = Math.max(code, await previewOne(root, stack, outDir, args.json!, packConfig, packConfigFile));
    } catch (err) {
      if (err instanceof PreviewError || err instanceof PolicyConfigError || err instanceof OutputDirError) console.error(`error: stack ${stack}: ${err.message}`);
      else console.error(`error: stack ${stack}: ${(err as Error).stack ?? String(err)}`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

process.exitCode = await main();
