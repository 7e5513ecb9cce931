// `npm run access -- --stack <stack> [--principal <sa@ns|role|user|group>] [--path <vault path>]
//   [--namespace <ns>] [--format table|markdown|json|svg] [--server vault|openbao] [--diff <base>] [--out DIR]`
// Who can read what, offline, from the same run of the program as `npm run preview`. Writes
// access.json and access.svg (the whole stack's report) under out/<stack>/ (or --out).
// Exit 0: done; 1: bad input or a failed run; 3: --diff found access widened.
import { existsSync, lstatSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SERVERS, type Server } from "../policy/defaultPolicy";
import { claimOutputDir, OUTPUT_MARKER, OutputDirError } from "../preview/outputDir";
import { PreviewError } from "../preview/run";
import { diffReports } from "./diff";
import { narrow, QueryError } from "./query";
import { diffMarkdown, diffTable, reportMarkdown, reportTable } from "./render";
import { BaseError, baseReport, stackReport } from "./stackReport";
import { reportSvg } from "./svg";

const USAGE =
  "usage: npm run access -- --stack <name> [--principal <sa@namespace|role|user|mount/name|group>] [--path <vault path>] [--namespace <ns>] [--format table|markdown|json|svg] [--server vault|openbao] [--diff <report.json|git ref>] [--out <dir>]";
const FORMATS = ["table", "markdown", "json", "svg"] as const;
type Format = (typeof FORMATS)[number];

class UsageError extends Error {}

/** The project, found as the Pulumi CLI finds it: the nearest `Pulumi.yaml` upward from the working directory. */
function projectRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
    if (dirname(dir) === dir) throw new UsageError(`no Pulumi.yaml in ${from} or any parent directory`);
  }
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      principal: { type: "string" },
      path: { type: "string" },
      namespace: { type: "string" },
      format: { type: "string", default: "table" },
      // The project's stack config has no key naming the server's flavour: Vault unless told.
      server: { type: "string", default: "vault" },
      diff: { type: "string" },
      out: { type: "string" },
    },
    allowPositionals: false,
    strict: true,
  });
  if (!values.stack) throw new UsageError("--stack is required");
  if (!(FORMATS as readonly string[]).includes(values.format!)) throw new UsageError(`--format ${values.format}: use one of ${FORMATS.join(", ")}`);
  if (!(SERVERS as readonly string[]).includes(values.server!)) throw new UsageError(`--server ${values.server}: use one of ${SERVERS.join(", ")}`);
  for (const k of ["principal", "path", "namespace", "diff", "out"] as const) if (values[k] === "") throw new UsageError(`--${k} needs a value`);
  return { ...values, stack: values.stack, format: values.format as Format, server: values.server as Server };
}

/**
 * The report's files go beside the preview's: a directory the preview (or this command) created
 * and marked, or a new or empty one. Only access.json and access.svg are written there.
 */
function outputDir(dir: string, root: string): string {
  const abs = resolve(dir);
  const marked = existsSync(join(abs, OUTPUT_MARKER)) && lstatSync(join(abs, OUTPUT_MARKER)).isFile() && !lstatSync(abs).isSymbolicLink();
  return marked && readdirSync(abs).length > 1 ? abs : claimOutputDir(abs, { projectRoot: root });
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  try {
    const root = projectRoot(process.cwd());
    // A directory that cannot be used is refused before the program runs.
    const dir = outputDir(args.out ?? join("out", args.stack), root);
    const report = await stackReport(root, args.stack, args.server);
    writeFileSync(join(dir, "access.json"), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(dir, "access.svg"), reportSvg(report));
    const query = { ...(args.principal ? { principal: args.principal } : {}), ...(args.namespace ? { namespace: args.namespace } : {}), ...(args.path ? { path: args.path } : {}) };
    const shown = Object.keys(query).length ? narrow(report, query) : report;
    if (args.diff) {
      const base = await baseReport(root, args.stack, args.diff, args.server);
      // Both sides narrowed the same way: `--principal x --diff main` is x's change.
      const { path: _path, ...scope } = query;
      const diff = diffReports(Object.keys(scope).length ? narrow(report, scope) : report, Object.keys(scope).length ? narrowLenient(base, scope) : base, args.diff);
      process.stdout.write(args.format === "json" ? `${JSON.stringify(diff, null, 2)}\n` : args.format === "markdown" ? diffMarkdown(diff) : diffTable(diff));
      return diff.widened ? 3 : 0;
    }
    if (args.format === "svg") {
      const file = join(dir, Object.keys(query).length ? "access-query.svg" : "access.svg");
      writeFileSync(file, reportSvg(shown));
      console.log(`wrote ${file}`);
    } else process.stdout.write(args.format === "json" ? `${JSON.stringify(shown, null, 2)}\n` : args.format === "markdown" ? reportMarkdown(shown) : reportTable(shown));
    return 0;
  } catch (err) {
    if (err instanceof PreviewError || err instanceof QueryError || err instanceof BaseError || err instanceof OutputDirError || err instanceof UsageError) console.error(`error: stack ${args.stack}: ${err.message}`);
    else console.error(`error: stack ${args.stack}: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

/** The base narrowed like the head; a principal or namespace the base does not have yet is simply absent there. */
function narrowLenient(base: Parameters<typeof narrow>[0], scope: Parameters<typeof narrow>[1]) {
  try {
    return narrow(base, scope);
  } catch (err) {
    if (err instanceof QueryError) return { ...base, principals: [], unattributedSecrets: [] };
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
