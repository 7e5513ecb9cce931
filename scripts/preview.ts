// `npm run preview -- [--stack NAME | --all] [--out DIR] [--json] [--policy-pack-config FILE]`
// Runs the program offline under Pulumi's mock runtime on a stack's own config, then the
// platform-secrets-guard policy pack over what it registered.
// Exit 0: clean; 1: config or program error; 2: a mandatory policy failed.
import { parseArgs } from "node:util";
import { readdirSync, readFileSync } from "node:fs";
import type { PolicyPackConfig } from "@pulumi/policy";
import { join } from "node:path";
import { ConfigError } from "../infra/configError";
import { STACKS_DIR } from "../infra/load";
import { ProgramError, runOffline } from "../infra/mockRuntime";
import { previewJson, summary, writeArtifacts, type PreviewDiagnostic } from "../infra/render";
import { OutputDirError } from "../preview/outputDir";
import { evaluatePack, formatViolations, hasMandatory, PolicyConfigError } from "../policy/evaluate";
import { PACK_NAME } from "../policy/policies";

const PACK_VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
const USAGE = "usage: npm run preview -- [--stack <name> | --all] [--out <dir>] [--json] [--policy-pack-config <file.json>]";

function shippedStacks(root: string): string[] {
  return readdirSync(join(root, STACKS_DIR))
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

async function previewStack(root: string, stack: string, outDir: string, asJson: boolean, packConfig: PolicyPackConfig, packConfigFile?: string): Promise<number> {
  const run = await runOffline({ root, stack });
  const violations = await evaluatePack(run.resources, packConfig, packConfigFile);
  const diagnostics = violations.map(
    (v): PreviewDiagnostic => ({
      ...(v.urn ? { urn: v.urn } : {}),
      severity: v.enforcementLevel === "mandatory" ? "error" : "warning",
      prefix: `[${v.enforcementLevel}] ${PACK_NAME} v${PACK_VERSION} ${v.policy}`,
      message: v.message,
    }),
  );
  const json = previewJson(run.resources, run.outputs, diagnostics);
  const files = writeArtifacts(outDir, run.resources, json, { projectRoot: root });
  const code = hasMandatory(violations) ? 2 : 0;
  if (asJson) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return code;
  }
  const { plan } = run.loaded;
  const header = [
    plan.foundation ? `foundation: managed by this stack (KV mount ${plan.foundation.kvMount}/, ${plan.foundation.divisions.length} divisions)` : `foundation: read from stack ${plan.foundationStack}`,
    plan.cluster ? `cluster: ${plan.cluster.config.name}, auth mount ${plan.cluster.config.authPath}, ${plan.cluster.tenants.length} tenant namespaces, ESO ${plan.cluster.esoApiVersion}` : "cluster: none (foundation-only stack)",
  ];
  console.log(summary(stack, run.resources, header));
  console.log(`Wrote ${files} files under ${outDir}/\n`);
  console.log(formatViolations(violations, PACK_VERSION));
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
  const root = process.cwd();
  const packConfigFile = args["policy-pack-config"];
  let packConfig: PolicyPackConfig;
  try {
    packConfig = readPackConfig(packConfigFile);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    return 1;
  }
  const stacks = args.all ? shippedStacks(root) : [args.stack!];
  let code = 0;
  for (const stack of stacks) {
    const outDir = args.out && !args.all ? args.out : join(args.out ?? "out", stack);
    try {
      code = Math.max(code, await previewStack(root, stack, outDir, args.json!, packConfig, packConfigFile));
    } catch (err) {
      if (err instanceof ConfigError || err instanceof PolicyConfigError || err instanceof ProgramError || err instanceof OutputDirError) console.error(`error: stack ${stack}: ${err.message}`);
      else console.error(`error: stack ${stack}: ${(err as Error).stack ?? String(err)}`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

process.exitCode = await main();
