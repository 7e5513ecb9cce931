// `npm run preview -- [--stack NAME | --all] [--out DIR] [--json]`
// Runs the program offline under Pulumi's mock runtime on a stack's own config.
// Exit 0: clean; 1: config or program error.
import { parseArgs } from "node:util";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../infra/configError";
import { STACKS_DIR } from "../infra/load";
import { runOffline } from "../infra/mockRuntime";
import { previewJson, summary, writeArtifacts } from "../infra/render";

const USAGE = "usage: npm run preview -- [--stack <name> | --all] [--out <dir>] [--json]";

function shippedStacks(root: string): string[] {
  return readdirSync(join(root, STACKS_DIR))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

async function previewStack(root: string, stack: string, outDir: string, asJson: boolean): Promise<number> {
  const run = await runOffline({ root, stack });
  const json = previewJson(run.resources, run.outputs);
  const files = writeArtifacts(outDir, run.resources, json);
  if (asJson) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  const { plan } = run.loaded;
  const header = [
    plan.foundation ? `foundation: managed by this stack (KV mount ${plan.foundation.kvMount}/, ${plan.foundation.divisions.length} divisions)` : `foundation: read from stack ${plan.foundationStack}`,
    plan.cluster ? `cluster: ${plan.cluster.config.name}, auth mount ${plan.cluster.config.authPath}, ${plan.cluster.tenants.length} tenant namespaces, ESO ${plan.cluster.esoApiVersion}` : "cluster: none (foundation-only stack)",
  ];
  console.log(summary(stack, run.resources, header));
  console.log(`Wrote ${files} files under ${outDir}/`);
  return 0;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: { stack: { type: "string", default: "spoke-dc-v6" }, all: { type: "boolean", default: false }, out: { type: "string" }, json: { type: "boolean", default: false } },
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const root = process.cwd();
  const stacks = args.all ? shippedStacks(root) : [args.stack!];
  let code = 0;
  for (const stack of stacks) {
    const outDir = args.out && !args.all ? args.out : join(args.out ?? "out", stack);
    try {
      code = Math.max(code, await previewStack(root, stack, outDir, args.json!));
    } catch (err) {
      if (err instanceof ConfigError) console.error(`error: stack ${stack}: ${err.message}`);
      else console.error(`error: stack ${stack}: ${(err as Error).stack ?? String(err)}`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

process.exitCode = await main();
